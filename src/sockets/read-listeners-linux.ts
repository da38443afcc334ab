import { endianness } from 'node:os';
import { findPidsByInodes } from './find-pids-by-inode.ts';
import type { ProcFs } from '../system/proc-fs.ts';
import { parseProcNetTcp } from './parse-proc-net-tcp.ts';
import type { Listener, ListenerTable } from './listener.ts';

const SOURCE = '/proc/net/tcp';

/**
 * Listeners on `port` from /proc/net/tcp and /proc/net/tcp6, with their holders found by socket
 * inode. Needs neither ss nor lsof (minimal images have neither). Without root, sockets of other
 * users keep pid null but carry their uid, so the caller can say whose they are.
 */
export function readLinuxListeners(port: number, fs: ProcFs): ListenerTable {
  const ipv4 = fs.readFile('/proc/net/tcp');
  const ipv6 = fs.readFile('/proc/net/tcp6');
  if (ipv4 === null && ipv6 === null) {
    return {
      readable: false,
      source: SOURCE,
      reason: 'Neither /proc/net/tcp nor /proc/net/tcp6 can be read (is /proc mounted?).',
      warnings: [],
    };
  }
  const warnings: string[] = [];
  if (ipv4 === null) warnings.push('/proc/net/tcp cannot be read: IPv4 listeners are not shown.');
  // Missing when IPv6 is disabled (ipv6.disable=1), which also means there is nothing to miss.
  if (ipv6 === null) warnings.push('/proc/net/tcp6 cannot be read: IPv6 listeners are not shown.');

  const byteOrder = endianness();
  const sockets = [
    ...parseProcNetTcp(ipv4 ?? '', 4, port, byteOrder),
    ...parseProcNetTcp(ipv6 ?? '', 6, port, byteOrder),
  ];
  const inodes = new Set(sockets.flatMap((socket) => (socket.inode === null ? [] : [socket.inode])));
  const uids = new Set(sockets.flatMap((socket) => (socket.uid === null ? [] : [socket.uid])));
  const holders = findPidsByInodes(inodes, fs, uids);

  const names = new Map<number, string | null>();
  const nameOf = (pid: number): string | null => {
    if (!names.has(pid)) names.set(pid, fs.readFile(`/proc/${pid}/comm`)?.trim() || null);
    return names.get(pid) ?? null;
  };
  const listeners: Listener[] = sockets.flatMap((socket) => {
    const pids = socket.inode === null ? [] : (holders.get(socket.inode) ?? []);
    if (pids.length === 0) return [socket];
    return pids.map((pid) => ({ ...socket, pid, processName: nameOf(pid) }));
  });

  const hidden = listeners.filter((listener) => listener.pid === null);
  if (hidden.length > 0) {
    const owners = [...new Set(hidden.map((listener) => listener.uid ?? 'unknown'))].join(', ');
    warnings.push(
      `The process holding port ${port} is not visible to this user (socket uid ${owners}); ` +
        'run the same command with sudo to see it.',
    );
  }
  return { readable: true, source: SOURCE, listeners, warnings };
}
