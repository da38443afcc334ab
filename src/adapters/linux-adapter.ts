import { endianness } from 'node:os';
import { readLinuxProcessFacts } from '../owners/read-linux-process.ts';
import type { ProcessFacts } from '../owners/process-facts.ts';
import { parseProcNetTcp } from '../sockets/parse-proc-net-tcp.ts';
import type { ListenerTable } from '../sockets/listener.ts';
import { parseSsListeners } from '../sockets/parse-ss.ts';
import { readLinuxListeners } from '../sockets/read-listeners-linux.ts';
import { realProcFs, type ProcFs } from '../system/proc-fs.ts';
import type { PlatformAdapter } from './platform-adapter.ts';

/** Linux reads /proc directly: no child process, TCP only, and the socket's uid when the PID is hidden. */
export function linuxAdapter(procFs: ProcFs = realProcFs): PlatformAdapter {
  const fs = withSnapshotOfSocketTables(procFs);
  return {
    readListeners: async (port) => {
      // The /proc scan is synchronous. Yield once first, so work already started (the Docker
      // request) gets its bytes on the wire and the engine answers while /proc is read.
      await new Promise((resolve) => setImmediate(resolve));
      const table = readLinuxListeners(port, fs);
      return table.readable ? table : readListenersWithSs(port, table);
    },
    readListenersBetween: async (from, to) => {
      const ipv4 = fs.readFile('/proc/net/tcp');
      const ipv6 = fs.readFile('/proc/net/tcp6');
      if (ipv4 === null && ipv6 === null) {
        return {
          readable: false,
          source: '/proc/net/tcp',
          reason: '/proc/net/tcp cannot be read',
          warnings: [],
        };
      }
      const byteOrder = endianness();
      return {
        readable: true,
        source: '/proc/net/tcp',
        listeners: [
          ...parseProcNetTcp(ipv4 ?? '', 4, { from, to }, byteOrder),
          ...parseProcNetTcp(ipv6 ?? '', 6, { from, to }, byteOrder),
        ],
        warnings: ipv4 === null ? ['/proc/net/tcp cannot be read: IPv4 listeners are not shown.'] : [],
      };
    },
    readReservedRanges: async () => ({ ranges: [], warnings: [] }),
    readOwnerFacts: async (pids) => {
      const processes = new Map<number, ProcessFacts>();
      for (const pid of pids) {
        const facts = readLinuxProcessFacts(pid, fs);
        if (facts) processes.set(pid, facts);
      }
      return { processes, services: new Map() };
    },
    readHttpSys: async () => null,
  };
}

/**
 * Without a mounted /proc (some containers and chroots), ss still asks the kernel, over netlink.
 * It cannot name the processes then, but it tells whether the port is taken.
 */
async function readListenersWithSs(port: number, unread: ListenerTable): Promise<ListenerTable> {
  // Loaded here only: child_process is not needed on the usual path.
  const { execFileText, isToolFailure, runTool } = await import('../system/exec.ts');
  const result = await runTool(execFileText, 'ss', ['-Hltnp', `sport = :${port}`], { timeoutMs: 10_000 });
  if (isToolFailure(result)) {
    return {
      readable: false,
      source: '/proc/net/tcp, ss',
      reason: `${unread.readable ? '' : unread.reason} ${result.reason}`.trim(),
      warnings: unread.warnings,
      ...(result.missing ? { missingTool: 'ss (iproute2), or a mounted /proc' } : {}),
    };
  }
  return {
    readable: true,
    source: 'ss -Hltnp',
    listeners: parseSsListeners(result.stdout, port),
    warnings: [...unread.warnings, '/proc/net/tcp could not be read; the socket table came from ss'],
  };
}

/**
 * The kernel builds /proc/net/tcp on every read (costly with many sockets): one read per run
 * serves both the port's owners and the next-free-port scan, which must see the same snapshot.
 */
function withSnapshotOfSocketTables(fs: ProcFs): ProcFs {
  const snapshots = new Map<string, string | null>();
  return {
    ...fs,
    readFile: (path) => {
      if (path !== '/proc/net/tcp' && path !== '/proc/net/tcp6') return fs.readFile(path);
      if (!snapshots.has(path)) snapshots.set(path, fs.readFile(path));
      return snapshots.get(path) ?? null;
    },
  };
}
