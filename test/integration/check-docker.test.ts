// `tapo-port check` against a real Docker engine (the private one of scripts/test-docker-engine.sh)
// and against a Docker socket that accepts connections and never answers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { requireDockerOrSkip, testDockerHost } from '../support/docker-available.ts';
import { removeTestContainers, runTestContainer, waitForListen } from '../support/docker-containers.ts';
import { freePort } from '../support/holders.ts';
import { parseEnvelope, runCli } from '../support/run-cli.ts';
import { assertMatchesSchema } from '../support/schema.ts';

let dockerForCleanup: Docker | null = null;
after(async () => {
  if (dockerForCleanup) await removeTestContainers(dockerForCleanup);
});

async function checkJson(port: number, dockerHost: string) {
  const result = await runCli(['check', '--port', String(port), '--json'], {
    env: { DOCKER_HOST: dockerHost },
  });
  const envelope = parseEnvelope(result.stdout);
  assertMatchesSchema(envelope);
  return { result, data: envelope.data, warnings: envelope.warnings };
}

describe('check with a real Docker engine', () => {
  it('names the container publishing the port, not docker-proxy, and never offers to kill the forwarder', async (t) => {
    const docker = await requireDockerOrSkip(t);
    if (!docker) return;
    dockerForCleanup = docker;
    const port = await freePort();
    const container = await runTestContainer(docker, {
      cmd: ['httpd', '-f', '-p', '8080'],
      publish: { '8080/tcp': ['0.0.0.0', port] },
      restart: 'unless-stopped',
      labels: { 'com.docker.compose.project': 'tapo', 'com.docker.compose.service': 'web' },
    });
    const name = (await container.inspect()).Name.replace(/^\//, '');
    await waitForListen('127.0.0.1', port);

    const { result, data } = await checkJson(port, testDockerHost());
    assert.ok(data);
    assert.equal(data.status, 'in-use');
    assert.equal(result.code, 1);
    assert.deepEqual(
      data.owners.map((o) => [o.kind, o.pid, o.container?.name]),
      [['container', null, name]],
    );
    const owner = data.owners[0];
    assert.equal(owner?.container?.restartPolicy, 'unless-stopped');
    assert.equal(owner?.container?.composeProject, 'tapo');
    assert.equal(owner?.forwarder?.name, 'docker-proxy');
    const proxyPids = data.listeners.filter((l) => l.processName === 'docker-proxy').map((l) => l.pid);
    assert.ok(proxyPids.length > 0, 'the socket table must show docker-proxy holding the port');

    const commands = data.fixes.flatMap((f) => [f.commands.posix, f.commands.powershell, f.commands.cmd]);
    assert.ok(commands.includes(`docker stop ${name}`));
    assert.ok(commands.includes('docker compose -p tapo stop web'));
    for (const pid of proxyPids) {
      assert.ok(
        !commands.some((c) => c !== null && new RegExp(`\\b${pid}\\b`).test(c)),
        'no fix may target docker-proxy',
      );
    }
    assert.ok(commands.includes(`docker update --restart no ${name}`), 'a fix keeps it from coming back');
  });

  it('a real docker-proxy that no container is behind: the summary and the fix both call it a stale forwarder', async (t) => {
    const docker = await requireDockerOrSkip(t);
    if (!docker) return;
    // The engine's own forwarder binary, started by hand exactly as dockerd starts it for a
    // published port, but for a container that does not exist: what a crashed engine leaves.
    const proxyBinary = [
      '/usr/sbin/docker-proxy',
      '/usr/bin/docker-proxy',
      '/usr/libexec/docker/docker-proxy',
    ].find((candidate) => existsSync(candidate));
    if (proxyBinary === undefined) {
      const message = 'docker-proxy is not installed (it comes with the docker.io package)';
      if (process.env.TAPO_REQUIRE_DOCKER === '1') throw new Error(`TAPO_REQUIRE_DOCKER=1: ${message}`);
      process.stderr.write(`\nSKIPPED: ${message}\n\n`);
      t.skip(message);
      return;
    }
    const port = await freePort();
    const proxy = spawn(
      proxyBinary,
      [
        '-proto',
        'tcp',
        '-host-ip',
        '127.0.0.1',
        '-host-port',
        String(port),
        '-container-ip',
        '172.31.250.254',
        '-container-port',
        '80',
      ],
      // dockerd hands it a pipe as fd 3 to report that it listens; without one the socket it
      // opens becomes fd 3, which it then closes as that pipe.
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
    );
    try {
      await waitForListen('127.0.0.1', port);
      const { result, data } = await checkJson(port, testDockerHost());
      assert.ok(data);
      assert.equal(result.code, 1);
      assert.equal(
        data.docker.state,
        'ok',
        'the engine answered, so it can vouch that no container publishes the port',
      );
      assert.deepEqual(
        data.owners.map((o) => [o.kind, o.pid, o.forwarder?.name, o.forwarder?.pid, o.forwarder?.stale]),
        [['forwarder', null, 'docker-proxy', proxy.pid, true]],
      );
      assert.equal(
        data.summary,
        `Port ${port} on 0.0.0.0 is in use: Docker (docker-proxy): docker-proxy (PID ${proxy.pid}) holds the port, but no container publishes it: a stale forwarder Docker left behind.`,
      );
      assert.doesNotMatch(data.summary, /forwards the port for a container/);
      const stale = data.fixes.find((fix) => /stale forwarder/.test(fix.title));
      assert.equal(stale?.commands.posix, 'sudo systemctl restart docker');
      const commands = data.fixes.flatMap((f) => [f.commands.posix, f.commands.powershell, f.commands.cmd]);
      assert.ok(
        !commands.some((c) => c !== null && new RegExp(`\\b${proxy.pid}\\b`).test(c)),
        'no fix may target docker-proxy',
      );
    } finally {
      proxy.kill('SIGKILL');
    }
  });

  it('maps a --network host container through its cgroup', async (t) => {
    const docker = await requireDockerOrSkip(t);
    if (!docker) return;
    dockerForCleanup = docker;
    const port = await freePort();
    const container = await runTestContainer(docker, {
      cmd: ['httpd', '-f', '-p', String(port)],
      networkMode: 'host',
    });
    await waitForListen('127.0.0.1', port);
    const { data } = await checkJson(port, testDockerHost());
    assert.equal(data?.status, 'in-use');
    const owner = data?.owners[0];
    assert.equal(owner?.kind, 'container');
    assert.equal(owner?.container?.id, container.id);
    assert.equal(owner?.container?.networkMode, 'host');
    assert.equal(owner?.process?.name, 'httpd');
    assert.equal(owner?.process?.cgroupContainerId, container.id);
  });
});

describe('check with a Docker endpoint on another machine', () => {
  it('does not ask it: its containers cannot hold a port here', async () => {
    const port = await freePort();
    // TEST-NET-2 (RFC 5737): never connected to, since the endpoint is not asked at all.
    const { data } = await checkJson(port, 'tcp://198.51.100.7:2376');
    assert.equal(data?.docker.state, 'not-checked');
    assert.equal(data?.status, 'free');
  });
});

describe('check with a Docker engine that never answers', () => {
  it('still answers, reporting Docker as unresponsive', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tapo-hung-docker-'));
    const socketPath = path.join(dir, 'docker.sock');
    const accepted: Socket[] = [];
    const server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const port = await freePort();
      const { result, data, warnings } = await checkJson(port, `unix://${socketPath}`);
      assert.notEqual(result.code, null, 'the check must exit by itself, not be killed by the test');
      assert.equal(data?.docker.state, 'unresponsive');
      assert.equal(data?.status, 'free');
      assert.ok(accepted.length > 0, 'the check must really have connected to the hung engine');
      assert.ok(warnings.some((w) => w.code === 'W_DOCKER'));
      // The budget applied is the documented one (the message says so); timing itself is not asserted.
      assert.match(data?.docker.message ?? '', /within 2000 ms/);
      console.log(`check with a hung Docker engine took ${Math.round(result.elapsedMs)} ms (budget 2000 ms)`);
    } finally {
      for (const socket of accepted) socket.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
