import { familyOf, normaliseAddress } from '../input/address-family.ts';
import { makeListener } from './listener.ts';
import type { Listener } from './listener.ts';

/**
 * Where the pid column sits in a headerless TCP row, by the number of columns of each known
 * `netstat -anv` layout. TCP rows always carry a state, so their column count is fixed per release.
 */
const PID_INDEX_BY_COLUMN_COUNT = new Map<number, number>([
  // (state) rhiwat shiwat pid epid: up to Ventura
  [10, 8],
  // ... pid epid state options: Mojave `netstat -vn`
  [12, 8],
  // (State) rhiwat shiwat pid epid state options gencnt flags flags1 usecnt rtncnt fltrs: Sonoma
  [18, 8],
  // (state) rxbytes txbytes rhiwat shiwat pid epid ...: Sequoia
  [20, 10],
]);

interface Layout {
  columnCount: number;
  pidIndex: number | null;
  /** macOS 26: one `process:pid` column instead of `pid epid` (see parseNamedPid). */
  namedPid: boolean;
}

/** Columns after `process:pid` in macOS 26: state options gencnt flags flags1 usecnt rtncnt fltrs. */
const COLUMNS_AFTER_NAMED_PID = 8;
/** proto recv-q send-q local foreign (state) rxbytes txbytes rhiwat shiwat: where the name starts. */
const NAME_START = 10;

/**
 * TCP listeners from macOS `netstat -anv -p tcp`, optionally only those on `port`.
 *
 * The pid column moves between releases (column 8 up to Sonoma, column 10 once Sequoia added
 * `rxbytes txbytes`), so its place is read from the `Proto ...` header. Grep'd output has no
 * header: the layout is then inferred from the column count, and a row of any other shape gets pid
 * null rather than whatever number sits where the pid used to be (systeminformation#951 reported
 * rhiwat 131072 as the pid). macOS 26 prints the process as one `name:pid` column whose name may
 * hold spaces (parseNamedPid); only that layout names the process, the others leave it to the
 * caller's PID lookup.
 */
export function parseMacNetstat(text: string, port?: number): Listener[] {
  const listeners: Listener[] = [];
  let header: Layout | null = null;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('Proto ')) {
      header = readHeader(trimmed);
      continue;
    }
    const columns = trimmed.split(/\s+/);
    const proto = columns[0] ?? '';
    if (!/^tcp(?:4|6|46)$/.test(proto) || columns[5] !== 'LISTEN') continue;
    const endpoint = parseMacEndpoint(columns[3] ?? '', proto);
    if (endpoint === null) continue;
    if (port !== undefined && endpoint.port !== port) continue;
    const named = header === null ? looksNamed(columns) : header.namedPid;
    if (named) {
      listeners.push(makeListener({ ...endpoint, ...parseNamedPid(columns) }));
      continue;
    }
    const pidIndex = findPidIndex(header, columns.length);
    const pidText = pidIndex === null ? undefined : columns[pidIndex];
    const pid = pidText !== undefined && /^\d+$/.test(pidText) && pidText !== '0' ? Number(pidText) : null;
    listeners.push(makeListener({ ...endpoint, pid }));
  }
  return listeners;
}

function readHeader(line: string): Layout {
  // Two header names contain a space; join them so header words line up with data columns.
  const names = line
    .replace('Local Address', 'Local-Address')
    .replace('Foreign Address', 'Foreign-Address')
    .split(/\s+/);
  const pidIndex = names.indexOf('pid');
  return {
    columnCount: names.length,
    pidIndex: pidIndex === -1 ? null : pidIndex,
    namedPid: names.includes('process:pid'),
  };
}

/**
 * A headerless row of macOS 26: at least one name word, and `name:pid` right before the eight
 * columns that end every TCP row. No older layout has a colon there.
 */
function looksNamed(columns: string[]): boolean {
  return (
    columns.length >= NAME_START + 1 + COLUMNS_AFTER_NAMED_PID &&
    /:\d+$/.test(columns[columns.length - 1 - COLUMNS_AFTER_NAMED_PID] ?? '')
  );
}

/**
 * `Code Helper (Plu:17120`, `Antigravity IDE :2086`, `kernel_task:0`, `:31337`: netstat prints
 * `%16s:%-6u` (network_cmds-726), the name being the first 16 bytes of p_comm, so it can hold
 * spaces, colons and a trailing blank where the cut fell, and is empty for a process that has
 * exited. So the columns from after shiwat up to the eight fixed ones are that one field, split
 * by blanks (runs of blanks inside the name come back as one): the pid is the digits after its
 * last colon, the name what comes before. PID 0 is the kernel: no PID to act on.
 */
function parseNamedPid(columns: string[]): Pick<Listener, 'pid' | 'processName'> {
  const field = columns.slice(NAME_START, columns.length - COLUMNS_AFTER_NAMED_PID).join(' ');
  const colon = field.lastIndexOf(':');
  const pidText = field.slice(colon + 1);
  if (colon === -1 || !/^\d+$/.test(pidText)) return { pid: null, processName: null };
  const name = field.slice(0, colon).trim();
  const pid = Number(pidText);
  return { pid: pid === 0 ? null : pid, processName: name === '' ? null : name };
}

function findPidIndex(header: Layout | null, columnCount: number): number | null {
  if (header === null) return PID_INDEX_BY_COLUMN_COUNT.get(columnCount) ?? null;
  // A row that does not fit its header is a layout we do not know: no guessing.
  return header.columnCount === columnCount ? header.pidIndex : null;
}

/** `*.7777`, `127.0.0.1.7777`, `::1.7777`, `fe80::1%lo0.7777`: the port follows the last dot. */
function parseMacEndpoint(
  text: string,
  proto: string,
): Pick<Listener, 'address' | 'port' | 'family' | 'dualStack'> | null {
  const match = /^(.+)\.(\d{1,5})$/.exec(text);
  if (match === null) return null;
  const port = Number(match[2]);
  const host = match[1] ?? '';
  if (host === '*') {
    // tcp46 is an IPv6 socket that also accepts IPv4; tcp6 is v6-only.
    if (proto === 'tcp4') return { address: '0.0.0.0', port, family: 4, dualStack: false };
    return { address: '::', port, family: 6, dualStack: proto === 'tcp46' };
  }
  const address = normaliseAddress(host);
  const family = familyOf(address);
  if (family === null) return null;
  return { address, port, family, dualStack: false };
}
