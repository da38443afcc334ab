// Our own earlier dashboard holds the port: recognised by its command line and its /api/health.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { waitForListen } from '../support/docker-containers.ts';
import { freePort } from '../support/holders.ts';
import { parseEnvelope, runCli } from '../support/run-cli.ts';

const fakeDashboardRoot = path.join(import.meta.dirname, '..', 'fixtures', 'fake-dashboard');
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function startFakeDashboard(port: number, status: string): Promise<ChildProcess> {
  const child = spawn('python3', ['-m', 'tapo_camera_mcp.web', '--host', '0.0.0.0', '--port', String(port)], {
    env: { ...process.env, PYTHONPATH: fakeDashboardRoot, FAKE_DASHBOARD_STATUS: status },
    stdio: 'ignore',
  });
  children.push(child);
  await waitForListen('127.0.0.1', port);
  return child;
}

describe('an earlier dashboard on the port', () => {
  for (const status of ['healthy', 'critical']) {
    it(`is reported as our dashboard with health "${status}"`, async () => {
      const port = await freePort();
      const child = await startFakeDashboard(port, status);
      const result = await runCli(['check', '--port', String(port), '--json'], {
        env: { DOCKER_HOST: 'unix:///nonexistent/tapo-test.sock' },
      });
      const data = parseEnvelope(result.stdout).data;
      assert.equal(data?.status, 'in-use');
      const owner = data?.owners[0];
      assert.equal(owner?.kind, 'dashboard');
      assert.equal(owner?.pid, child.pid);
      assert.equal(owner?.dashboard?.healthStatus, status);
      assert.equal(owner?.dashboard?.healthUrl, `http://127.0.0.1:${port}/api/health`);
    });
  }
});
