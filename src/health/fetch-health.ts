import { request } from 'node:http';
import { healthNotAnswered, readHealthAnswer, type HealthReport } from './health-report.ts';

/** More than any health JSON: a body past this is not the dashboard's. */
const MAX_BODY_BYTES = 1_000_000;

/**
 * GET a dashboard health URL within `budgetMs` (the whole request: connect, headers and body;
 * a server that trickles bytes cannot stretch it) and report what came back. Never throws.
 */
export function fetchHealth(
  url: string,
  budgetMs: number,
  now: () => number = Date.now,
): Promise<HealthReport> {
  const started = now();
  const elapsed = (): number => Math.max(0, now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    const finish = (report: HealthReport): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(report);
    };
    let req: ReturnType<typeof request>;
    const deadline = setTimeout(() => {
      // Connected and asked, but no answer yet: slow. Not even connected: nobody answers.
      finish(healthNotAnswered(connected ? 'slow' : 'no-answer', elapsed()));
      req?.destroy();
    }, budgetMs);
    try {
      req = request(url, { method: 'GET', headers: { accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            // Too large to be the dashboard's JSON: read as no body at all, which is not-dashboard.
            finish(readHealthAnswer(res.statusCode ?? 0, '', elapsed()));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          finish(readHealthAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), elapsed())),
        );
        res.on('error', () => finish(healthNotAnswered('no-answer', elapsed())));
      });
    } catch {
      // An URL node:http cannot ask (https, a malformed one): no answer.
      finish(healthNotAnswered('no-answer', elapsed()));
      return;
    }
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('error', () => finish(healthNotAnswered('no-answer', elapsed())));
    req.end();
  });
}
