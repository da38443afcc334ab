import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ContainerFacts } from '../../../src/docker/container-facts.ts';
import {
  applyInspect,
  containerFromInspect,
  containersPublishingPort,
} from '../../../src/docker/match-containers.ts';

// Real engine answers; see test/fixtures/docker/PROVENANCE.md.
const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'docker');
function fixture(folder: 'local-engine-20.10.24' | 'private-engine-20.10.24', name: string): unknown {
  return JSON.parse(readFileSync(path.join(fixtures, folder, name), 'utf8')) as unknown;
}
const shared = (name: string): unknown => fixture('local-engine-20.10.24', name);
const own = (name: string): unknown => fixture('private-engine-20.10.24', name);

const web7777Id = '92fcd1a9e13baa544d64a56b40b28c5a0ae414596d09dd3ff08c36f3a983bf25';

describe('containersPublishingPort', () => {
  it('finds the container publishing 7777 on IPv4 and IPv6, with the name without its slash', () => {
    const found = containersPublishingPort(shared('docker-api-v1.41-containers-json.json'), 7777);
    assert.deepEqual(found, [
      {
        id: web7777Id,
        name: 'web7777',
        image: 'hostbin:latest',
        state: 'running',
        composeProject: null,
        composeService: null,
        publishedPorts: [
          { hostIp: '0.0.0.0', hostPort: 7777, containerPort: 80, protocol: 'tcp' },
          { hostIp: '::', hostPort: 7777, containerPort: 80, protocol: 'tcp' },
        ],
        restartPolicy: null,
        networkMode: 'default',
      },
    ] satisfies ContainerFacts[]);
  });

  it('agrees with the engine-side publish filter', () => {
    const filtered = containersPublishingPort(
      shared('docker-api-v1.41-containers-json-filter-publish-7777.json'),
      7777,
    );
    assert.deepEqual(
      filtered.map((c) => c.name),
      ['web7777'],
    );
  });

  it('matches the loopback binding 127.0.0.1:7780 of the all-containers list', () => {
    const found = containersPublishingPort(shared('docker-api-v1.41-containers-json-all.json'), 7780);
    assert.deepEqual(
      found.map((c) => [c.name, c.publishedPorts.filter((p) => p.hostPort === 7780)]),
      [['loop7780', [{ hostIp: '127.0.0.1', hostPort: 7780, containerPort: 80, protocol: 'tcp' }]]],
    );
  });

  it('does not report a UDP-only binding of the number for TCP', () => {
    assert.deepEqual(containersPublishingPort(shared('docker-api-v1.41-containers-json-all.json'), 7790), []);
    assert.deepEqual(containersPublishingPort(own('docker-api-v1.41-containers-json.json'), 18090), []);
  });

  it('keeps the UDP binding of a container that also publishes the port over TCP', () => {
    const [probe1] = containersPublishingPort(own('docker-api-v1.41-containers-json.json'), 18080);
    assert.deepEqual(probe1?.publishedPorts, [
      { hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'udp' },
    ]);
  });

  it('matches the exact port only: neighbours and substrings of 7777 do not match', () => {
    const list = shared('docker-api-v1.41-containers-json-all.json');
    for (const port of [777, 77, 7, 7778, 1777, 17777]) {
      assert.deepEqual(containersPublishingPort(list, port), [], `port ${port}`);
    }
  });

  it('reports nothing for stopped and never-started containers (their Ports are empty)', () => {
    assert.deepEqual(
      containersPublishingPort(shared('docker-api-v1.41-containers-json-all.after-stop-loop7780.json'), 7780),
      [],
    );
    assert.deepEqual(containersPublishingPort(shared('docker-api-v1.41-containers-json-all.json'), 7791), []);
  });

  it('reads the compose project and service labels', () => {
    const [probe1] = containersPublishingPort(own('docker-api-v1.41-containers-json.json'), 18080);
    assert.equal(probe1?.name, 'probe1');
    assert.equal(probe1?.image, 'tapo-busybox');
    assert.equal(probe1?.composeProject, 'tapo');
    assert.equal(probe1?.composeService, 'web');
  });

  it('does not find a --network host container by port: the list shows no ports for it', () => {
    const list = own('docker-api-v1.41-containers-json.json');
    assert.deepEqual(containersPublishingPort(list, 18081), []);
  });

  it('prefers the own name over legacy link aliases and tolerates missing fields', () => {
    const list = [
      {
        Id: 'abc123abc123abc123',
        Names: ['/web/db', '/db'],
        Ports: [{ PrivatePort: 5432, PublicPort: 7777, Type: 'tcp' }],
      },
      { Id: 'noports' },
      { Names: ['/no-id'], Ports: [{ PrivatePort: 1, PublicPort: 7777, Type: 'tcp' }] },
      null,
      'garbage',
    ];
    const found = containersPublishingPort(list, 7777);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.name, 'db');
    assert.equal(found[0]?.image, '');
    assert.equal(found[0]?.networkMode, null);
    assert.deepEqual(found[0]?.publishedPorts, [
      { hostIp: '', hostPort: 7777, containerPort: 5432, protocol: 'tcp' },
    ]);
  });

  it('ignores exposed-only ports (no PublicPort) and answers [] for a non-list', () => {
    assert.deepEqual(
      containersPublishingPort(
        [{ Id: 'x', Names: ['/x'], Ports: [{ PrivatePort: 7777, Type: 'tcp' }] }],
        7777,
      ),
      [],
    );
    assert.deepEqual(containersPublishingPort({ message: 'page not found' }, 7777), []);
    assert.deepEqual(containersPublishingPort(undefined, 7777), []);
  });
});

describe('applyInspect', () => {
  const [probe1] = containersPublishingPort(own('docker-api-v1.41-containers-json.json'), 18080);
  assert.ok(probe1);

  it('adds the restart policy and network mode', () => {
    const inspected = applyInspect(
      probe1,
      own('docker-api-v1.41-containers-inspect.probe1-compose-labels-unless-stopped.json'),
    );
    assert.equal(inspected.restartPolicy, 'unless-stopped');
    assert.equal(inspected.networkMode, 'default');
    assert.deepEqual({ ...inspected, restartPolicy: null }, probe1);
  });

  it('reads the API\'s empty restart policy as "no"', () => {
    const inspected = applyInspect(
      probe1,
      own('docker-api-v1.41-containers-inspect.probe4-created-via-api-no-restart-policy.json'),
    );
    assert.equal(inspected.restartPolicy, 'no');
  });

  it('keeps the facts when the inspect answer is not a container', () => {
    assert.deepEqual(applyInspect(probe1, { message: 'No such container: probe1' }), probe1);
    assert.deepEqual(applyInspect(probe1, null), probe1);
  });
});

describe('containerFromInspect', () => {
  it('builds facts for a --network host container found through its cgroup', () => {
    assert.deepEqual(
      containerFromInspect(own('docker-api-v1.41-containers-inspect.probe2-network-host.json')),
      {
        id: '2555a9794c66a1a5ce048823acd3bd10ca5215743648296a645de6540575865e',
        name: 'probe2',
        image: 'tapo-busybox',
        state: 'running',
        composeProject: null,
        composeService: null,
        publishedPorts: [],
        restartPolicy: 'no',
        networkMode: 'host',
      } satisfies ContainerFacts,
    );
  });

  it('reads published ports from the inspect form (HostPort is a string there)', () => {
    const facts = containerFromInspect(
      own('docker-api-v1.41-containers-inspect.probe1-compose-labels-unless-stopped.json'),
    );
    assert.deepEqual(facts?.publishedPorts, [
      { hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'udp' },
    ]);
    assert.equal(facts?.composeProject, 'tapo');
    assert.equal(facts?.restartPolicy, 'unless-stopped');
  });

  it('gives the same facts as list + inspect for a published container', () => {
    const [listed] = containersPublishingPort(own('docker-api-v1.41-containers-json.json'), 18080);
    assert.ok(listed);
    const inspectJson = own('docker-api-v1.41-containers-inspect.probe1-compose-labels-unless-stopped.json');
    assert.deepEqual(containerFromInspect(inspectJson), applyInspect(listed, inspectJson));
  });

  it('answers null for something that is not a container', () => {
    assert.equal(containerFromInspect({ message: 'No such container' }), null);
    assert.equal(containerFromInspect(null), null);
  });
});
