// queryDocker against real engines: the private test engine (scripts/test-docker-engine.sh),
// a socket that accepts and never answers, and a socket that does not exist.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type Docker from 'dockerode';
import { queryDocker } from '../../src/docker/docker-engine-entry.ts';
import { requireDockerOrSkip, testDockerHost, testImage, testLabel } from '../support/docker-available.ts';

/** The budget the CLI uses for the whole Docker query. */
const budgetMs = 2000;

const created: { docker: Docker; id: string }[] = [];
after(async () => {
  await Promise.all(
    created.map(({ docker, id }) =>
      docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
});

/** A port free right now on 127.0.0.1 (a race with other processes remains, as with get-port). */
async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

interface RunOptions {
  cmd: string[];
  /** `8080/tcp` -> host port on 127.0.0.1. */
  publish?: Record<string, number>;
  networkMode?: string;
  restart?: string;
  labels?: Record<string, string>;
}

/** Like `docker run -d --init`: without an init, httpd ignores SIGTERM and removal waits. */
async function run(docker: Docker, options: RunOptions): Promise<Docker.Container> {
  const publish = Object.entries(options.publish ?? {});
  const container = await docker.createContainer({
    Image: testImage,
    name: `tapo-test-${process.pid}-${randomBytes(3).toString('hex')}`,
    Cmd: options.cmd,
    Labels: { [testLabel]: '1', ...options.labels },
    ExposedPorts: Object.fromEntries(publish.map(([key]) => [key, {}])),
    HostConfig: {
      Init: true,
      NetworkMode: options.networkMode ?? 'default',
      RestartPolicy: { Name: options.restart ?? '' },
      PortBindings: Object.fromEntries(
        publish.map(([key, hostPort]) => [key, [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }]]),
      ),
    },
  });
  created.push({ docker, id: container.id });
  await container.start();
  return container;
}

/** busybox httpd takes a moment to bind; poll (bounded) until it serves through the published port. */
async function fetchWithin(url: string, ms: number): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      return await response.text();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function timed<T>(t: TestContext, label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  t.diagnostic(`${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

describe('queryDocker with the private test engine', () => {
  it('finds the container publishing the port, with name, image, compose labels and restart policy', async (t) => {
    const docker = await requireDockerOrSkip(t);
    if (docker === null) return;
    const port = await freeTcpPort();
    const container = await run(docker, {
      cmd: ['httpd', '-f', '-p', '8080'],
      publish: { '8080/tcp': port },
      restart: 'unless-stopped',
      labels: { 'com.docker.compose.project': 'tapotest', 'com.docker.compose.service': 'web' },
    });
    // The port is really held (by docker-proxy), as it would be for the dashboard's 7777.
    assert.match(await fetchWithin(`http://127.0.0.1:${port}/`, 5000), /tapo-busybox/);

    const result = await timed(t, 'queryDocker (list + inspect)', () =>
      queryDocker({ endpoint: testDockerHost(), port, containerIds: [], timeoutMs: budgetMs }),
    );

    assert.deepEqual(result.status, { state: 'ok', message: null });
    assert.equal(result.containers.length, 1);
    const [facts] = result.containers;
    const info = await container.inspect();
    assert.deepEqual(facts, {
      id: container.id,
      name: info.Name.replace(/^\//, ''),
      image: testImage,
      state: 'running',
      composeProject: 'tapotest',
      composeService: 'web',
      publishedPorts: [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 8080, protocol: 'tcp' }],
      restartPolicy: 'unless-stopped',
      networkMode: 'default',
    });
  });

  it('does not report a UDP binding of the same number as a TCP holder', async (t) => {
    const docker = await requireDockerOrSkip(t);
    if (docker === null) return;
    const port = await freeTcpPort();
    const tcp = await run(docker, { cmd: ['httpd', '-f', '-p', '8080'], publish: { '8080/tcp': port } });
    await run(docker, { cmd: ['sleep', '600'], publish: { '8080/udp': port } });
    const udpOnlyPort = await freeTcpPort();
    await run(docker, { cmd: ['sleep', '600'], publish: { '8080/udp': udpOnlyPort } });

    const both = await queryDocker({
      endpoint: testDockerHost(),
      port,
      containerIds: [],
      timeoutMs: budgetMs,
    });
    assert.equal(both.status.state, 'ok');
    assert.deepEqual(
      both.containers.map((c) => c.id),
      [tcp.id],
    );

    const udpOnly = await queryDocker({
      endpoint: testDockerHost(),
      port: udpOnlyPort,
      containerIds: [],
      timeoutMs: budgetMs,
    });
    assert.deepEqual(udpOnly, { status: { state: 'ok', message: null }, containers: [] });
  });

  it('inspects containers given by id, such as a --network host container found through its cgroup', async (t) => {
    const docker = await requireDockerOrSkip(t);
    if (docker === null) return;
    const port = await freeTcpPort();
    const host = await run(docker, {
      cmd: ['httpd', '-f', '-p', String(port)],
      networkMode: 'host',
      restart: 'always',
    });
    const vanished = randomBytes(32).toString('hex');

    const result = await queryDocker({
      endpoint: testDockerHost(),
      port,
      containerIds: [host.id, vanished],
      timeoutMs: budgetMs,
    });

    assert.equal(result.status.state, 'ok');
    assert.equal(result.containers.length, 1, 'a container id that no longer exists is left out');
    assert.equal(result.containers[0]?.id, host.id);
    assert.equal(result.containers[0]?.networkMode, 'host');
    assert.equal(result.containers[0]?.restartPolicy, 'always');
    assert.deepEqual(result.containers[0]?.publishedPorts, []);
  });
});

describe('queryDocker when the engine cannot answer', () => {
  const dirs: string[] = [];
  const servers: { server: Server; sockets: Set<Socket> }[] = [];
  after(async () => {
    for (const { server, sockets } of servers) {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function tempDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tapo-docker-'));
    dirs.push(dir);
    return dir;
  }

  // The runner's hang guard, not a timing assertion: this engine never answers and never closes,
  // so only queryDocker's own deadline can end the call; reaching the assertions proves it fired.
  it(
    'reports an engine that accepts connections and never answers as unresponsive, by its budget',
    { timeout: 60_000 },
    async (t) => {
      const socketPath = path.join(tempDir(), 'hung.sock');
      const sockets = new Set<Socket>();
      let accepted = 0;
      const server = createServer((socket) => {
        accepted += 1;
        sockets.add(socket);
        // Read and drop the request; never write an answer.
        socket.resume();
      });
      servers.push({ server, sockets });
      await new Promise<void>((resolve) => server.listen(socketPath, resolve));

      const result = await timed(t, `unresponsive engine (budget ${budgetMs} ms)`, () =>
        queryDocker({ endpoint: `unix://${socketPath}`, port: 7777, containerIds: [], timeoutMs: budgetMs }),
      );

      assert.equal(result.status.state, 'unresponsive');
      // The budget applied is the one asked for (the message says so); the duration is only logged.
      assert.match(result.status.message ?? '', /did not answer within 2000 ms/);
      assert.deepEqual(result.containers, []);
      assert.ok(accepted >= 1, 'the request reached the hung engine');
    },
  );

  it('keeps the listed containers when the engine lists but never answers an inspect', async (t) => {
    // A real list answer (see test/fixtures/docker/PROVENANCE.md) from a fake engine that then hangs.
    const listJson = readFileSync(
      path.join(
        import.meta.dirname,
        '..',
        'fixtures',
        'docker',
        'local-engine-20.10.24',
        'docker-api-v1.41-containers-json.json',
      ),
    );
    const socketPath = path.join(tempDir(), 'half-hung.sock');
    const sockets = new Set<Socket>();
    const requests: string[] = [];
    const server = createHttpServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url?.startsWith('/containers/json')) {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(listJson);
      }
      // Anything else (the inspect) is never answered.
    });
    server.on('connection', (socket) => sockets.add(socket));
    servers.push({ server, sockets });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));

    const result = await timed(t, 'list answered, inspect hung', () =>
      queryDocker({ endpoint: `unix://${socketPath}`, port: 7777, containerIds: [], timeoutMs: budgetMs }),
    );

    assert.equal(result.status.state, 'unresponsive');
    assert.deepEqual(
      result.containers.map((c) => [c.name, c.restartPolicy]),
      [['web7777', null]],
    );
    assert.match(requests[0] ?? '', /^\/containers\/json\?filters=/);
    assert.ok(
      requests.some((url) => url.startsWith('/containers/92fcd1a9e13b')),
      requests.join(' '),
    );
  });

  it('reports a missing socket as not running (its duration logged)', async (t) => {
    const socketPath = path.join(tempDir(), 'missing.sock');
    const result = await timed(t, 'missing socket', () =>
      queryDocker({ endpoint: `unix://${socketPath}`, port: 7777, containerIds: [], timeoutMs: budgetMs }),
    );
    assert.equal(result.status.state, 'not-running');
    assert.match(result.status.message ?? '', /missing\.sock/);
    assert.deepEqual(result.containers, []);
  });

  it('reports a refused TCP endpoint as not running', async () => {
    const port = await freeTcpPort();
    const result = await queryDocker({
      endpoint: `tcp://127.0.0.1:${port}`,
      port: 7777,
      containerIds: [],
      timeoutMs: budgetMs,
    });
    assert.equal(result.status.state, 'not-running');
  });

  it('refuses an ssh endpoint with an error naming the way out', async () => {
    const result = await queryDocker({
      endpoint: 'ssh://ana@build.example',
      port: 7777,
      containerIds: [],
      timeoutMs: budgetMs,
    });
    assert.equal(result.status.state, 'error');
    assert.match(result.status.message ?? '', /docker ps/);
  });
});
