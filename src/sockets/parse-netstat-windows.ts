import { familyOf, normaliseAddress } from '../input/address-family.ts';
import { makeListener } from './listener.ts';
import type { Listener } from './listener.ts';

// The foreign address a listening socket shows in `netstat -ano`. Only LISTENING rows carry it
// without -q; with -q, BOUND rows would too, which is why the reader never passes -q.
const LISTENING_FOREIGN = new Set(['0.0.0.0:0', '[::]:0']);

/**
 * Listeners from Windows `netstat -ano`, optionally only those on `port`.
 *
 * Parsed by shape, never by words: the header and the state column are localized (`LISTENING`,
 * German `ABH\u00d6REN`, ...) and arrive in the OEM code page, so they may be mis-decoded. A row is a
 * listener when it is TCP, its foreign address is the unspecified `0.0.0.0:0` / `[::]:0`, and its
 * last column is a non-zero PID (TIME_WAIT rows carry PID 0). UDP rows are never listeners.
 */
export function parseWindowsNetstat(text: string, port?: number): Listener[] {
  const listeners: Listener[] = [];
  const seen = new Set<string>();
  for (const line of text.split(/\r\n|\r|\n/)) {
    // ASCII blanks only: a latin1-decoded OEM byte 0xA0 is U+00A0, which `\s` would also split on.
    // The state is never read, and may be several words, so the PID is taken from the end.
    const columns = line.split(/[ \t]+/).filter((column) => column !== '');
    if (columns.length < 5 || columns[0]?.toUpperCase() !== 'TCP') continue;
    const foreign = columns[2] ?? '';
    if (!LISTENING_FOREIGN.has(foreign)) continue;
    const pidText = columns[columns.length - 1] ?? '';
    if (!/^\d+$/.test(pidText)) continue;
    const pid = Number(pidText);
    if (pid === 0) continue;
    const local = splitEndpoint(columns[1] ?? '');
    if (local === null) continue;
    if (port !== undefined && local.port !== port) continue;
    const key = `${local.address}|${local.port}|${pid}`;
    if (seen.has(key)) continue;
    seen.add(key);
    listeners.push(makeListener({ ...local, pid, processName: null, dualStack: null }));
  }
  return listeners;
}

/** `0.0.0.0:7777`, `[::1]:7777`, `[fe80::1%4]:7777` -> normalised address, port and family. */
function splitEndpoint(endpoint: string): { address: string; port: number; family: 4 | 6 } | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(endpoint);
  if (match === null) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  const address = normaliseAddress(match[1] ?? match[2] ?? '');
  const family = familyOf(address);
  if (family === null) return null;
  return { address, port, family };
}
