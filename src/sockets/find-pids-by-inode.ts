import type { ProcFs } from '../system/proc-fs.ts';
import { parseRealUid, parseStat } from '../system/parse-proc-pid-files.ts';

/**
 * Which processes hold each socket inode, found through the `socket:[INODE]` links in
 * `/proc/<pid>/fd`. Every holder is reported, sorted by PID: a pre-fork server (nginx, gunicorn)
 * or a socket-activated service shares one socket between a parent and its children. Inodes no
 * readable process holds are absent from the map.
 *
 * Cost is bounded two ways, because reading every fd of every process is the expensive part:
 * - without root, only processes we can inspect are opened: those whose uid owns one of the sockets
 *   (`socketUids`, from /proc/net/tcp) or is ours. Root may look at all, and must: a socket created
 *   by root is also held by the workers it forked after dropping to another user.
 * - once every inode has a holder, the rest of the scan only opens children of known holders, the
 *   one way a later process can share a socket already found (a fork).
 * - processes with huge fd tables are read last (see LARGE_FD_TABLE), so thousands of unrelated
 *   connections in one proxy do not make every check slow.
 */
export function findPidsByInodes(
  inodes: Set<number>,
  fs: ProcFs,
  socketUids?: Set<number>,
): Map<number, number[]> {
  const holdersByInode = new Map<number, number[]>();
  if (inodes.size === 0) return holdersByInode;
  const pids = (fs.readDir('/proc') ?? [])
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  // /proc/self belongs to our own uid, which keeps "are we root" behind the injected fs.
  const selfUid = fs.statUid('/proc/self');
  const filterByUid = socketUids !== undefined && selfUid !== 0;
  const holderPids = new Set<number>();
  const scan = (pid: number, fds: readonly string[]): void => {
    for (const inode of readSocketInodes(pid, fds, fs)) {
      if (!inodes.has(inode)) continue;
      const holders = holdersByInode.get(inode) ?? [];
      if (!holders.includes(pid)) holders.push(pid);
      holdersByInode.set(inode, holders);
      holderPids.add(pid);
    }
  };
  const allFound = (): boolean => holdersByInode.size === inodes.size;
  // Processes with huge fd tables (a proxy with thousands of connections) cost one readlink per
  // fd: they are read last, smallest first, and only while a socket still has no holder.
  const deferred: { pid: number; fds: string[] }[] = [];
  for (const pid of pids) {
    if (allFound() && !holderPids.has(readParentPid(pid, fs) ?? -1)) continue;
    if (filterByUid) {
      const uid = readProcessUid(pid, fs);
      // An unknown uid is not a reason to skip: the fd read below is the real test.
      if (uid !== null && uid !== selfUid && !socketUids.has(uid)) continue;
    }
    const fds = fs.readDir(`/proc/${pid}/fd`) ?? [];
    if (fds.length > LARGE_FD_TABLE && !allFound()) deferred.push({ pid, fds });
    else scan(pid, fds);
  }
  for (const { pid, fds } of deferred.sort((a, b) => a.fds.length - b.fds.length)) {
    if (allFound()) break;
    scan(pid, fds);
  }
  return holdersByInode;
}

/** Above this many open fds a process is read only when the smaller ones did not answer. */
const LARGE_FD_TABLE = 256;

function readSocketInodes(pid: number, fds: readonly string[], fs: ProcFs): number[] {
  const inodes: number[] = [];
  for (const fd of fds) {
    const match = /^socket:\[(\d+)\]$/.exec(fs.readLink(`/proc/${pid}/fd/${fd}`) ?? '');
    if (match) inodes.push(Number(match[1]));
  }
  return inodes;
}

/** The owner of /proc/<pid> (one stat), else the real uid from status. */
function readProcessUid(pid: number, fs: ProcFs): number | null {
  const owner = fs.statUid(`/proc/${pid}`);
  if (owner !== null) return owner;
  return parseRealUid(fs.readFile(`/proc/${pid}/status`));
}

function readParentPid(pid: number, fs: ProcFs): number | null {
  return parseStat(fs.readFile(`/proc/${pid}/stat`))?.ppid ?? null;
}
