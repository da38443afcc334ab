import { formatEndpoint } from '../input/address-family.ts';
import { parseProcNetTcp } from './parse-proc-net-tcp.ts';

/**
 * `cat /proc/net/tcp /proc/net/tcp6` prints two tables, each with its own `sl local_address`
 * header; an address in the second has 32 hex digits. Returns the listening endpoints on `port`,
 * or null when the first header is missing (not the tables).
 */
export function parseProcNetTables(text: string, port: number): string[] | null {
  const headers = [...text.matchAll(/^\s*sl\s+local_address/gm)].map((match) => match.index);
  if (headers.length === 0) return null;
  const v4 = text.slice(0, headers[1] ?? text.length);
  const v6 = headers[1] === undefined ? '' : text.slice(headers[1]);
  const listeners = [...parseProcNetTcp(v4, 4, port), ...parseProcNetTcp(v6, 6, port)];
  return [...new Set(listeners.map((listener) => formatEndpoint(listener.address, port)))];
}
