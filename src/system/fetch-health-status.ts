import { request } from 'node:http';

/**
 * GET the dashboard's health URL and return its `status` field (`healthy`, `warning`, ...).
 * Null when nothing answers within the budget or the answer is not the dashboard's JSON.
 */
export function fetchHealthStatus(url: string, timeoutMs = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    let req: ReturnType<typeof request>;
    try {
      req = request(
        url,
        { method: 'GET', timeout: timeoutMs, headers: { accept: 'application/json' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (body.length < 1_000_000) body += chunk;
          });
          res.on('end', () => resolve(readStatus(body)));
          res.on('error', () => resolve(null));
        },
      );
    } catch {
      // An URL node:http cannot ask (https, a malformed one): no answer.
      resolve(null);
      return;
    }
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

function readStatus(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      parsed !== null &&
      typeof parsed === 'object' &&
      'status' in parsed &&
      typeof parsed.status === 'string' &&
      // Whatever answers on the port decides this text: only a short plain word is believed, so
      // no escape sequence or megabyte reaches a terminal, a log or a PowerShell table.
      /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/.test(parsed.status)
    ) {
      return parsed.status;
    }
  } catch {
    // not JSON: not our dashboard's health endpoint
  }
  return null;
}
