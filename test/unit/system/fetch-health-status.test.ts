import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchHealthStatus } from '../../../src/system/fetch-health-status.ts';

// A real HTTP server on loopback answers with whatever body the path names.
const bodies: Record<string, string> = {
  '/healthy': JSON.stringify({ status: 'healthy', timestamp: '2026-11-25T10:00:00Z', issues: [] }),
  '/warning': JSON.stringify({ status: 'warning' }),
  '/escape': JSON.stringify({ status: 'healthy\u001b[2J\u001b[H' }),
  '/newline': JSON.stringify({ status: 'ok\nFAKE LINE' }),
  '/long': JSON.stringify({ status: 'x'.repeat(5000) }),
  '/number': JSON.stringify({ status: 200 }),
  '/html': '<html>not the dashboard</html>',
};

describe('fetchHealthStatus', () => {
  let server: Server;
  let base = '';
  before(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodies[req.url ?? ''] ?? '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the status word of the dashboard JSON', async () => {
    assert.equal(await fetchHealthStatus(`${base}/healthy`), 'healthy');
    assert.equal(await fetchHealthStatus(`${base}/warning`), 'warning');
  });

  for (const path of ['/escape', '/newline', '/long', '/number', '/html']) {
    it(`does not believe ${path}: whatever answers on the port cannot inject text`, async () => {
      assert.equal(await fetchHealthStatus(`${base}${path}`), null);
    });
  }

  it('answers null, without throwing, for a URL node:http cannot ask (https)', async () => {
    assert.equal(await fetchHealthStatus('https://127.0.0.1:1/api/health'), null);
  });

  it('answers null when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.equal(await fetchHealthStatus(`http://127.0.0.1:${port}/api/health`), null);
  });
});
