import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchHealth } from '../../../src/health/fetch-health.ts';

// A real HTTP server on loopback; the path names what it answers.
const bodies: Record<string, string> = {
  '/healthy': JSON.stringify({ status: 'healthy', timestamp: '2026-11-25T10:00:00Z', issues: [] }),
  '/warning': JSON.stringify({
    status: 'warning',
    timestamp: '2026-11-25T10:00:00Z',
    cameras: { total: 2, online: 0, offline: 2 },
    issues: ['no_cameras_online'],
  }),
  '/escape': JSON.stringify({ status: 'healthy\u001b[2J\u001b[H' }),
  '/newline': JSON.stringify({ status: 'ok\nFAKE LINE' }),
  '/long': JSON.stringify({ status: 'x'.repeat(5000) }),
  '/number': JSON.stringify({ status: 200 }),
  '/html': '<html>not the dashboard</html>',
};

describe('fetchHealth', () => {
  let server: Server;
  let base = '';
  let slowRequests = 0;
  before(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/slow') {
        slowRequests += 1;
        // Takes the request, answers in 2 s: longer than the budget the test gives.
        setTimeout(() => res.end(bodies['/healthy']), 2000).unref();
        return;
      }
      if (url === '/trickle') {
        // Sends a byte every 100 ms and never finishes: the budget covers the whole answer.
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (url === '/missing') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: 'Not Found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodies[url] ?? '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads the status word, the issues and the camera counts of the dashboard JSON', async () => {
    const healthy = await fetchHealth(`${base}/healthy`, 5000);
    assert.equal(healthy.answer, 'answered');
    assert.equal(healthy.status, 'healthy');
    assert.equal(healthy.httpStatus, 200);
    const warning = await fetchHealth(`${base}/warning`, 5000);
    assert.deepEqual(
      { answer: warning.answer, status: warning.status, issues: warning.issues, cameras: warning.cameras },
      {
        answer: 'answered',
        status: 'warning',
        issues: ['no_cameras_online'],
        cameras: { total: 2, online: 0 },
      },
    );
  });

  for (const path of ['/escape', '/newline', '/long', '/number', '/html']) {
    it(`does not believe ${path}: whatever answers on the port cannot inject text`, async () => {
      const report = await fetchHealth(`${base}${path}`, 5000);
      assert.equal(report.answer, 'not-dashboard');
      assert.equal(report.status, null);
    });
  }

  it('a 404 that is JSON without a status is not the dashboard, with its HTTP status', async () => {
    const report = await fetchHealth(`${base}/missing`, 5000);
    assert.deepEqual([report.answer, report.httpStatus], ['not-dashboard', 404]);
  });

  it('a request the server took but did not answer within the budget is slow, not silent', async () => {
    const before = slowRequests;
    // The clock is injected: the elapsed time reported is the clock's, checked exactly, not a
    // bound on how long the test took. Every reading after the first is 300 ms later.
    let readings = 0;
    const clock = (): number => (readings++ === 0 ? 50_000 : 50_300);
    const report = await fetchHealth(`${base}/slow`, 300, clock);
    assert.equal(report.answer, 'slow');
    assert.equal(slowRequests, before + 1, 'the server took the request');
    assert.equal(report.elapsedMs, 300);
  });

  it('a trickling answer cannot stretch the budget', async () => {
    const report = await fetchHealth(`${base}/trickle`, 400);
    assert.equal(report.answer, 'slow');
  });

  it('answers no-answer, without throwing, for a URL node:http cannot ask (https)', async () => {
    assert.equal((await fetchHealth('https://127.0.0.1:1/api/health', 1000)).answer, 'no-answer');
  });

  it('answers no-answer when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.equal((await fetchHealth(`http://127.0.0.1:${port}/api/health`, 1000)).answer, 'no-answer');
  });
});
