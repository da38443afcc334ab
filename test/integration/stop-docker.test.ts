// runStop with the real stop-deps against a real Docker engine: a container published on
// 127.0.0.1 (with and without an init process) is stopped through the API; docker-proxy is never
// signalled.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { runStop } from '../../src/stop/run-stop.ts';
import { parseHost } from '../../src/input/parse-host.ts';
import { createStopDeps, readAncestorPids } from '../../src/stop/stop-deps.ts';
import { requireDockerOrSkip, testDockerHost } from '../support/docker-available.ts';
import { removeTestContainers, runTestContainer, waitForListen } from '../support/docker-containers.ts';
import { freePort } from '../support/holders.ts';

let dockerForCleanup: Docker | null = null;
after(async () => {
  if (dockerForCleanup) await removeTestContainers(dockerForCleanup);
});

describe('stop with a real Docker engine', () => {
  for (const init of [true, false]) {
    it(`stops a container published on 127.0.0.1 ${init ? 'with' : 'without'} init through the API, never docker-proxy`, async (t) => {
      const docker = await requireDockerOrSkip(t);
      if (!docker) return;
      dockerForCleanup = docker;
      const previous = process.env.DOCKER_HOST;
      process.env.DOCKER_HOST = testDockerHost();
      t.after(() => {
        if (previous === undefined) delete process.env.DOCKER_HOST;
        else process.env.DOCKER_HOST = previous;
      });
      const port = await freePort();
      const container = await runTestContainer(docker, {
        cmd: ['httpd', '-f', '-p', '8080'],
        publish: { '8080/tcp': ['127.0.0.1', port] },
        init,
        restart: 'unless-stopped',
      });
      const name = (await container.inspect()).Name.replace(/^\//, '');
      await waitForListen('127.0.0.1', port);

      const deps = createStopDeps({ progress: () => undefined });
      const signalled: number[] = [];
      const send = deps.sendSignal;
      deps.sendSignal = (pid, signal) => {
        signalled.push(pid);
        return send(pid, signal);
      };
      let proxyPids: number[] = [];
      const check = deps.check;
      deps.check = async (p, h) => {
        const data = await check(p, h);
        if (proxyPids.length === 0) {
          proxyPids = data.listeners
            .filter((l) => l.processName === 'docker-proxy')
            .flatMap((l) => l.pid ?? []);
        }
        return data;
      };
      const request = {
        port,
        host: parseHost('127.0.0.1'),
        dryRun: false,
        force: false,
        timeoutSeconds: 1,
        selfPid: process.pid,
        ancestorPids: await readAncestorPids(),
        currentUid: process.getuid?.() ?? null,
      };
      if (!init) {
        // Without init, httpd is PID 1 and ignores SIGTERM: without --force nothing kills it
        // (unlike `docker stop`, which would SIGKILL it after the timeout by itself).
        const gentle = await runStop(deps, request);
        assert.equal(gentle.outcome, 'timed-out', gentle.summary);
        assert.equal(gentle.forced, false);
        assert.equal((await container.inspect()).State.Running, true);
      }
      const data = await runStop(deps, { ...request, force: !init });
      assert.equal(data.outcome, 'stopped', data.summary);
      assert.equal(data.forced, !init);
      assert.equal(data.portFreeAfter, true);
      assert.deepEqual(
        data.plan.targets.map((target) => [target.kind, target.containerName, target.pid]),
        [['container', name, null]],
      );
      assert.match(data.plan.targets[0]?.restartPolicyWarning ?? '', /unless-stopped/);
      assert.deepEqual(
        data.actions.map((a) => [a.action, a.outcome]),
        init
          ? [['docker-stop', 'done']]
          : [
              ['docker-stop', 'done'],
              ['docker-kill', 'done'],
            ],
      );
      assert.ok(proxyPids.length > 0, 'the engine publishes through docker-proxy');
      assert.deepEqual(signalled, [], 'no process was signalled: not docker-proxy, not anything');
      const state = (await container.inspect()).State;
      assert.equal(state.Running, false);
    });
  }

  it('--dry-run leaves the container running', async (t) => {
    const docker = await requireDockerOrSkip(t);
    if (!docker) return;
    dockerForCleanup = docker;
    const previous = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = testDockerHost();
    t.after(() => {
      if (previous === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = previous;
    });
    const port = await freePort();
    const container = await runTestContainer(docker, {
      cmd: ['httpd', '-f', '-p', '8080'],
      publish: { '8080/tcp': ['127.0.0.1', port] },
    });
    await waitForListen('127.0.0.1', port);
    const data = await runStop(createStopDeps({ progress: () => undefined }), {
      port,
      host: parseHost('127.0.0.1'),
      dryRun: true,
      force: false,
      timeoutSeconds: 1,
      selfPid: process.pid,
      ancestorPids: await readAncestorPids(),
      currentUid: process.getuid?.() ?? null,
    });
    assert.equal(data.outcome, 'would-stop');
    assert.equal(data.plan.targets[0]?.kind, 'container');
    assert.deepEqual(data.actions, []);
    assert.equal((await container.inspect()).State.Running, true);
  });
});
