import { createServer } from 'node:net';
import type { BindHost } from '../input/parse-host.ts';

export type BindOutcome = 'bound' | 'in-use' | 'forbidden' | 'address-not-local' | 'error';

export interface BindProbeResult {
  outcome: BindOutcome;
  /** The errno code (`EADDRINUSE`, `EACCES`, ...) when the bind failed. */
  errno: string | null;
}

const outcomeByErrno: Record<string, BindOutcome> = {
  EADDRINUSE: 'in-use',
  EACCES: 'forbidden',
  EPERM: 'forbidden',
  EADDRNOTAVAIL: 'address-not-local',
};

/**
 * Binds the port the way the dashboard would and releases it at once. IPv6 is probed
 * v6-only because Python's asyncio (uvicorn) binds `::` with IPV6_V6ONLY set.
 */
export function probeBind(host: BindHost, port: number): Promise<BindProbeResult> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const errno = error.code ?? 'UNKNOWN';
      resolve({ outcome: outcomeByErrno[errno] ?? 'error', errno });
    });
    server.listen({ host: host.address, port, exclusive: true, ipv6Only: host.family === 6 }, () => {
      server.close(() => resolve({ outcome: 'bound', errno: null }));
    });
  });
}
