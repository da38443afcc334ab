import type { BindHost } from '../input/parse-host.ts';
import type { Listener } from './listener.ts';

/**
 * How an existing listener on the same port affects the dashboard binding `host`:
 * - `blocks`: the OS refuses the bind, or (Windows, macOS) accepts it but the other socket
 *   still receives the connections: either way the dashboard does not get them;
 * - `shadows`: the bind works, but `localhost` may resolve to the other listener's family
 *   (Node 17+ and browsers try ::1 before 127.0.0.1), so people opening it reach someone else;
 * - `none`: a different specific address; no conflict.
 */
export type ListenerRelation = 'blocks' | 'shadows' | 'none';

export function relateListener(listener: Listener, host: BindHost): ListenerRelation {
  if (listener.family === host.family) {
    if (isWildcard(host.address) || isWildcard(listener.address) || listener.address === host.address) {
      return 'blocks';
    }
    return 'none';
  }
  // A dual-stack IPv6 wildcard also owns every IPv4 address.
  if (listener.family === 6 && isWildcard(listener.address) && listener.dualStack === true) return 'blocks';
  return servesLocalhost(listener.address) && servesLocalhost(host.address) ? 'shadows' : 'none';
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function servesLocalhost(address: string): boolean {
  // `localhost` resolves to 127.0.0.1 and ::1; other 127.x addresses are never reached by it.
  return isWildcard(address) || address === '::1' || address === '127.0.0.1';
}
