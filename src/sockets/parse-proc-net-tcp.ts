import type { PortRange } from '../input/port-range.ts';
import { normaliseAddress } from '../input/address-family.ts';
import { makeListener } from './listener.ts';
import type { Listener } from './listener.ts';

/** `st` column value of a listening socket (TCP_LISTEN = 10). */
const TCP_LISTEN = '0A';

/**
 * Listening sockets from `/proc/net/tcp` (family 4) or `/proc/net/tcp6` (family 6), optionally only
 * those on `port`.
 *
 * Columns: `sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...`. The
 * kernel prints each 32-bit word of the address as a native-endian integer in hex, so on the usual
 * little-endian hosts `0100007F` is 127.0.0.1; pass `byteOrder: 'BE'` for s390x and friends. The
 * table has no PID: `inode` is what links a socket to the processes holding it (`/proc/<pid>/fd`).
 */
export function parseProcNetTcp(
  text: string,
  family: 4 | 6,
  port?: number | PortRange,
  byteOrder: 'LE' | 'BE' = 'LE',
): Listener[] {
  const listeners: Listener[] = [];
  const wanted = toPortTest(port);
  for (const line of text.split(/\r?\n/)) {
    // A server with thousands of sockets makes this table long: rows on other ports are dropped
    // before they are split. The local port is the 4 hex digits after the second colon; the checks
    // below make sure that colon is the local address's (a row without one fails them too).
    const localColon = line.indexOf(':', line.indexOf(':') + 1);
    const localPort = Number.parseInt(line.slice(localColon + 1, localColon + 5), 16);
    if (!wanted(localPort)) continue;
    // Data rows start with the slot number `N:` (`%4d:`, so no blank before it from slot 1000 on);
    // the header starts with `sl`.
    if (!/^\s*\d+:\s/.test(line)) continue;
    const fields = line.trim().split(/\s+/);
    const [, local = '', , state, , , , uidText = '', , inodeText = ''] = fields;
    if (state !== TCP_LISTEN) continue;
    if (!/^[0-9A-Fa-f]+:[0-9A-Fa-f]{4}$/.test(local)) continue;
    const raw = decodeProcAddress(local.slice(0, local.indexOf(':')), family, byteOrder);
    if (raw === null) continue;
    const address = normaliseAddress(raw);
    // A v6 socket bound to a v4-mapped address (::ffff:127.0.0.1) only ever serves IPv4; the
    // decoded text tells (normaliseAddress turned it into dotted IPv4), no address parser needed.
    const actualFamily = address.includes(':') ? 6 : 4;
    const inode = /^\d+$/.test(inodeText) ? Number(inodeText) : null;
    listeners.push(
      makeListener({
        address,
        port: localPort,
        family: actualFamily,
        // The per-socket IPV6_V6ONLY flag is not in this table; only the v6 wildcard could be dual-stack.
        dualStack: address === '::' ? null : false,
        uid: /^\d+$/.test(uidText) ? Number(uidText) : null,
        inode: inode === 0 ? null : inode,
      }),
    );
  }
  return listeners;
}

function toPortTest(port: number | PortRange | undefined): (candidate: number) => boolean {
  // Without a port every row goes on to the checks, which refuse a port that is not 4 hex digits.
  if (port === undefined) return () => true;
  if (typeof port === 'number') return (candidate) => candidate === port;
  return (candidate) => candidate >= port.from && candidate <= port.to;
}

function decodeProcAddress(hex: string, family: 4 | 6, byteOrder: 'LE' | 'BE'): string | null {
  const expectedLength = family === 4 ? 8 : 32;
  if (hex.length !== expectedLength) return null;
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((at) => Number.parseInt(hex.slice(word + at, word + at + 2), 16));
    bytes.push(...(byteOrder === 'LE' ? wordBytes.reverse() : wordBytes));
  }
  return family === 4 ? bytes.join('.') : formatIpv6(bytes);
}

/** RFC 5952 text: lower-case, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let at = 0; at < 16; at += 2) groups.push(((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0));
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (const start of groups.keys()) {
    let length = 0;
    // Past the last group, groups[8] is undefined: the run ends there.
    while (groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const text = groups.map((group) => group.toString(16));
  if (bestStart === -1) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
}
