import { familyOf, normaliseAddress } from '../input/address-family.ts';
import { makeListener } from './listener.ts';
import type { Listener } from './listener.ts';

/**
 * Ports lsof prints by name when run without -P. lsof resolves them through the local services
 * database, which differs between systems, so only names whose IANA number is fixed and which show
 * up on the hosts this tool serves are listed (irdmi = 8000 for Docker for Mac and dev servers,
 * commplex-main = 5000 and afs3-fileserver = 7000 for macOS AirPlay). Any other name is skipped:
 * a guessed number would be worse than a missing row.
 */
const SERVICE_PORTS = new Map<string, number>([
  ['http', 80],
  ['https', 443],
  ['commplex-main', 5000],
  ['afs3-fileserver', 7000],
  ['irdmi', 8000],
  ['http-alt', 8080],
]);

/** Used when the output has no header (`lsof ... | grep LISTEN`): lsof's default column order. */
const DEFAULT_LEADING_COLUMNS = ['COMMAND', 'PID', 'USER', 'FD'];
/** Columns lsof adds when it lists threads (-K); blank on a process's own row. */
const THREAD_COLUMNS = new Set(['TID', 'TASKCMD']);

/**
 * TCP listeners from `lsof -nP -iTCP -sTCP:LISTEN` or `lsof -nP -iTCP:P -sTCP:LISTEN`, optionally
 * only those on `port`. One Listener per (PID, socket): a forked server shows the same socket once
 * per holder.
 *
 * Columns are found from the header (`COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME`); TYPE
 * (`IPv4`/`IPv6`) and NODE (`TCP`) anchor the row, because COMMAND is cut to 9 characters and NAME
 * holds spaces (`*:7777 (LISTEN)`). lsof prints the IPv6 wildcard as `*` too; TYPE tells them apart.
 */
export function parseLsofListeners(text: string, port?: number): Listener[] {
  const listeners: Listener[] = [];
  const seen = new Set<string>();
  let leadingColumns = DEFAULT_LEADING_COLUMNS;
  for (const line of text.split(/\r?\n/)) {
    const tokens = line.trim().split(/\s+/);
    if (tokens[0] === 'COMMAND') {
      const typeIndex = tokens.indexOf('TYPE');
      if (typeIndex !== -1) leadingColumns = tokens.slice(0, typeIndex);
      continue;
    }
    const row = readLsofRow(tokens, leadingColumns);
    if (row === null) continue;
    const endpoint = parseLsofName(row.name, row.type);
    if (endpoint === null) continue;
    if (port !== undefined && endpoint.port !== port) continue;
    const key = `${row.pid}|${row.device}|${endpoint.address}|${endpoint.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    listeners.push(
      makeListener({
        ...endpoint,
        pid: row.pid,
        processName: row.command,
        uid: row.uid,
        // On Linux DEVICE is the socket inode; on macOS it is a kernel address (0x...).
        inode: /^\d+$/.test(row.device) ? Number(row.device) : null,
      }),
    );
  }
  return listeners;
}

interface LsofRow {
  command: string;
  pid: number;
  uid: number | null;
  type: 4 | 6;
  device: string;
  name: string;
}

function readLsofRow(tokens: string[], leadingColumns: string[]): LsofRow | null {
  // A row without TYPE (typeIndex -1) fails the column count below.
  const typeIndex = tokens.findIndex((token, index) => index > 0 && /^IPv[46]$/.test(token));
  let columns = leadingColumns;
  // TID and TASKCMD are blank for a process's main thread, which removes their tokens from the row.
  if (typeIndex !== columns.length) columns = columns.filter((column) => !THREAD_COLUMNS.has(column));
  if (typeIndex !== columns.length) return null;
  // A column the header lacks reads as '': no PID (the row is skipped), no uid. COMMAND is always
  // there: a header is only recognised by it, and the default order starts with it.
  const field = (column: string): string => tokens[columns.indexOf(column)] ?? '';
  const pidText = field('PID');
  if (!/^\d+$/.test(pidText)) return null;
  const nodeIndex = tokens.indexOf('TCP', typeIndex);
  if (nodeIndex === -1) return null;
  const user = field('USER');
  return {
    command: decodeLsofEscapes(field('COMMAND')),
    pid: Number(pidText),
    // lsof prints the uid when it has no name for it (or with -l).
    uid: /^\d+$/.test(user) ? Number(user) : null,
    type: tokens[typeIndex] === 'IPv6' ? 6 : 4,
    device: tokens[typeIndex + 1] ?? '',
    name: tokens.slice(nodeIndex + 1).join(' '),
  };
}

/** `*:7777 (LISTEN)`, `[::1]:7782 (LISTEN)`, `localhost:irdmi (LISTEN)`; connections are skipped. */
function parseLsofName(
  name: string,
  type: 4 | 6,
): Pick<Listener, 'address' | 'port' | 'family' | 'dualStack'> | null {
  const match = /^(\S+):([^\s:\]]+) \(LISTEN\)$/.exec(name);
  if (match === null) return null;
  const host = match[1] ?? '';
  if (host.includes('->')) return null;
  const service = match[2] ?? '';
  const port = /^\d{1,5}$/.test(service) ? Number(service) : SERVICE_PORTS.get(service);
  if (port === undefined) return null;
  let address: string;
  if (host === '*') address = type === 6 ? '::' : '0.0.0.0';
  // Without -n lsof prints names; localhost is the only one whose address is certain.
  else if (host === 'localhost') address = type === 6 ? '::1' : '127.0.0.1';
  else address = normaliseAddress(host);
  const family = familyOf(address) ?? type;
  // lsof does not show IPV6_V6ONLY, so an IPv6 wildcard may or may not take IPv4.
  const dualStack = address === '::' ? null : false;
  return { address, port, family, dualStack };
}

/** lsof prints unprintable and blank characters of COMMAND as `\xNN` (`Google\x20`). */
function decodeLsofEscapes(text: string): string {
  return text.replace(/\\x([0-9A-Fa-f]{2})/g, (_whole, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}
