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
  const rows = text.split(/\r?\n/).flatMap((line) => {
    const row = splitSsRow(line);
    return row === null ? [] : [row];
  });
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
    const inodeMatch = /(?:^|\s)ino:(\d+)/.exec(rest);
    const uidMatch = /(?:^|\s)uid:(\d+)/.exec(rest);
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
  process: string;
}

function splitSsRow(line: string): SsRow | null {
  const tokens: { text: string; end: number }[] = [];
  const tokenPattern = /\S+/g;
  let match: RegExpExecArray | null;
  // Netid, State, Recv-Q, Send-Q, local, peer: at most six tokens before the Process column.
  while (tokens.length < 6 && (match = tokenPattern.exec(line)) !== null) {
    tokens.push({ text: match[0], end: match.index + match[0].length });
  }
  const first = tokens[0]?.text;
  if (first === undefined || first === 'State' || first === 'Netid') return null;
  // A state is upper case (LISTEN, TIME-WAIT, UNCONN); a netid is lower case (tcp, udp, u_str).
  const hasNetid = !/^[A-Z][A-Z0-9-]*$/.test(first);
  let at = hasNetid ? 1 : 0;
  const state = tokens[at++]?.text;
  // Recv-Q and Send-Q are absent with -Q, so skip whatever numbers are there.
  while (at < tokens.length && /^\d+$/.test(tokens[at]?.text ?? '')) at++;
  const local = tokens[at]?.text;
  const peer = tokens[at + 1];
  if (state === undefined || local === undefined || peer === undefined) return null;
  return {
    netid: hasNetid ? first : null,
    state,
    local,
    process: line.slice(peer.end).trim(),
  };
}

function parseSsEndpoint(text: string, legacy: boolean): SsEndpoint | null {
  const match = /^(.*):(\d{1,5})$/.exec(text);
  if (match === null) return null; // a service name (no -n) cannot be compared with a number
  const port = Number(match[2]);
  // `127.0.0.53%lo`, `[fe80::1]%eth0`: a socket bound to a device; the device is not an address.
  const host = (match[1] ?? '').replace(/^(\[[^\]]*\]|[^%[]*)%.*$/, '$1');
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
  const dualStack = family === 6 && address === '::' ? (legacy ? null : false) : false;
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
  let at = start + 'users:('.length;
  while (column.startsWith('("', at)) {
    const anchor = /",pid=(\d+)/g;
    anchor.lastIndex = at + 2;
    const found = anchor.exec(column);
    if (found === null) break;
    // The fields after pid (fd=, proc_ctx=) hold no parentheses.
    const close = column.indexOf(')', anchor.lastIndex);
    if (close === -1) break;
    const pid = Number(found[1]);
    if (!users.some((user) => user.pid === pid)) {
      users.push({ name: unescapeSsName(column.slice(at + 2, found.index)), pid });
    }
    at = close + 1;
    if (column[at] === ',') at++;
  }
  if (column[at] === ')') at++;
  return { users, rest: column.slice(0, start) + column.slice(at) };
}

/** Undoes C-style escapes (`\"`, `\\`, `\x41`, `\101`) that some ss builds apply to names. */
function unescapeSsName(name: string): string {
  if (!name.includes('\\')) return name;
  return name.replace(/\\(x[0-9A-Fa-f]{2}|[0-7]{3}|["\\])/g, (_whole, code: string) => {
    if (code.startsWith('x')) return String.fromCharCode(Number.parseInt(code.slice(1), 16));
    if (/^[0-7]{3}$/.test(code)) return String.fromCharCode(Number.parseInt(code, 8));
    return code;
  });
}
