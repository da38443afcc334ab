import { familyOf, normaliseAddress } from '../input/address-family.ts';
import { makeListener } from './listener.ts';
import type { Listener } from './listener.ts';

interface SsEndpoint {
  address: string;
  port: number;
  family: 4 | 6;
  dualStack: boolean | null;
}

interface SsUser {
  name: string;
  pid: number;
}

/**
 * TCP listeners from iproute2 `ss` (`ss -ltnp`, `ss -Hltnp 'sport = :P'`, `ss -tunlp`, `ss -tanp`),
 * optionally only those on `port`. One Listener per owning PID: a socket shared by a pre-fork server
 * lists every holder in `users:(...)`.
 *
 * Parsed by position, not by the header: `-H` drops it, and its last two names are glued together
 * (`Peer Address:PortProcess`) so its words do not line up with the data. UDP, unix and non-LISTEN
 * rows (TIME-WAIT, ESTAB) are skipped. Without root the Process column is empty: the socket is
 * reported with pid null so the caller can say who to ask.
 */
export function parseSsListeners(text: string, port?: number): Listener[] {
  const rows = text
    .split(/\r?\n/)
    .map((line) => splitSsRow(line))
    .filter((row) => row !== null);
  // ss before iproute2 4.13 printed the IPv4 wildcard as `*` and IPv6 without brackets (`:::22`).
  // Unix rows are left out of the test: an abstract socket name may hold colons.
  const legacy = rows.some(
    (row) =>
      (row.netid === null || row.netid === 'tcp' || row.netid === 'udp') &&
      !row.local.startsWith('[') &&
      row.local.split(':').length > 2,
  );
  const listeners: Listener[] = [];
  for (const row of rows) {
    if (row.netid !== null && row.netid !== 'tcp') continue;
    if (row.state !== 'LISTEN') continue;
    const endpoint = parseSsEndpoint(row.local, legacy);
    if (endpoint === null) continue;
    if (port !== undefined && endpoint.port !== port) continue;
    const { users, rest } = parseSsUsers(row.process);
    // With -e, `ino:N` and (for non-root owners) `uid:N` follow the users list.
    const inodeMatch = /\sino:(\d+)/.exec(rest);
    const uidMatch = /\suid:(\d+)/.exec(rest);
    const inode = inodeMatch ? Number(inodeMatch[1]) : null;
    const uid = uidMatch ? Number(uidMatch[1]) : inodeMatch ? 0 : null;
    if (users.length === 0) {
      listeners.push(makeListener({ ...endpoint, inode, uid }));
      continue;
    }
    for (const user of users) {
      listeners.push(makeListener({ ...endpoint, pid: user.pid, processName: user.name, inode, uid }));
    }
  }
  return listeners;
}

interface SsRow {
  netid: string | null;
  state: string;
  local: string;
  /** From the blank after the peer to the end of the line. */
  process: string;
}

interface SsWord {
  text: string;
  end: number;
}

function splitSsRow(line: string): SsRow | null {
  const words: SsWord[] = [];
  const word = /\S+/g;
  for (let match = word.exec(line); match !== null; match = word.exec(line)) {
    words.push({ text: match[0], end: word.lastIndex });
  }
  const first = words[0];
  if (first === undefined) return null;
  // A state is upper case (LISTEN, TIME-WAIT, UNCONN); a netid is not (tcp, udp, u_str). Nor are the
  // header's first words (State, Netid), so a header line reads as a row of an unknown netid.
  const netid = /[a-z]/.test(first.text) ? first.text : null;
  let at = netid === null ? 0 : 1;
  const state = words[at];
  at++;
  // Recv-Q and Send-Q are absent with -Q, so skip whatever numbers are there.
  while (isCount(words[at])) at++;
  const local = words[at];
  const peer = words[at + 1];
  // The peer comes last, so only its check can fail; the other two narrow the types.
  if (peer === undefined || local === undefined || state === undefined) return null;
  return { netid, state: state.text, local: local.text, process: line.slice(peer.end) };
}

function isCount(word: SsWord | undefined): boolean {
  return word !== undefined && /^\d+$/.test(word.text);
}

function parseSsEndpoint(text: string, legacy: boolean): SsEndpoint | null {
  const match = /:(\d{1,5})$/.exec(text);
  if (match === null) return null; // a service name (no -n) cannot be compared with a number
  const port = Number(match[1]);
  // `127.0.0.53%lo`, `[fe80::1]%eth0`, `*%eth0`: a socket bound to a device; the device is not an address.
  const host = text.slice(0, match.index).replace(/^(\[[^\]]*\]|[^%[]*)%.*/, '$1');
  if (host === '*') {
    // Current ss prints `*` only for an IPv6 wildcard that also takes IPv4 (IPV6_V6ONLY off) and
    // `[::]` for a v6-only one; legacy ss used `*` for 0.0.0.0.
    return legacy
      ? { address: '0.0.0.0', port, family: 4, dualStack: false }
      : { address: '::', port, family: 6, dualStack: true };
  }
  const address = normaliseAddress(host);
  const family = familyOf(address);
  if (family === null) return null;
  // Legacy ss printed every IPv6 wildcard as `:::P`, dual-stack or not.
  const dualStack = legacy && address === '::' ? null : false;
  return { address, port, family, dualStack };
}

/**
 * `users:(("docker-proxy",pid=11522,fd=4),("x",pid=2,fd=3))` -> one entry per PID, plus the text
 * after the list. A name is the kernel's `comm`, which may hold spaces, commas, quotes and
 * parentheses (`next-server (v16.1.1)`), so an entry is found by its `",pid=N` anchor, never by
 * splitting on punctuation.
 */
function parseSsUsers(column: string): { users: SsUser[]; rest: string } {
  const start = column.indexOf('users:(');
  if (start === -1) return { users: [], rest: column };
  const users: SsUser[] = [];
  // A name ends at the first `",pid=N`; the fields after pid (fd=, proc_ctx=) hold no parentheses.
  const entry = /\("(.*?)",pid=(\d+)[^)]*\),?/y;
  let at = start + 'users:('.length;
  let entries = 0;
  entry.lastIndex = at;
  for (let found = entry.exec(column); found !== null; found = entry.exec(column)) {
    at = entry.lastIndex;
    entries++;
    const pid = Number(found[2]);
    if (!users.some((user) => user.pid === pid)) users.push({ name: unescapeSsName(String(found[1])), pid });
  }
  // A process sets its own name (prctl), and ss may print it unescaped: a name holding `",pid=` could
  // make another PID look like the owner, or hide the real one. Then nothing in the column is trusted.
  if (column.split('",pid=').length - 1 !== entries) return { users: [], rest: column.slice(0, start) };
  // The list's closing `)` stays in `rest`: `ino:` and `uid:` are read only after a blank.
  return { users, rest: column.slice(0, start) + column.slice(at) };
}

/** Undoes C-style escapes (`\"`, `\\`, `\x41`, `\101`) that some ss builds apply to names. */
function unescapeSsName(name: string): string {
  return name.replace(/\\(x[0-9A-Fa-f]{2}|[0-7]{3}|["\\])/g, (_whole, code: string) => {
    if (code.length === 1) return code; // `\"`, `\\`
    if (code.startsWith('x')) return String.fromCharCode(Number.parseInt(code.slice(1), 16));
    return String.fromCharCode(Number.parseInt(code, 8));
  });
}
