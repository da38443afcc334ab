import { endianness } from 'node:os';
import { readLinuxProcessFacts } from '../owners/read-linux-process.ts';
import type { ProcessFacts } from '../owners/process-facts.ts';
import { parseProcNetTcp } from '../sockets/parse-proc-net-tcp.ts';
import { readLinuxListeners } from '../sockets/read-listeners-linux.ts';
import { realProcFs, type ProcFs } from './proc-fs.ts';
import type { PlatformAdapter } from './system-deps.ts';

/** Linux reads /proc directly: no child process, TCP only, and the socket's uid when the PID is hidden. */
export function linuxAdapter(fs: ProcFs = realProcFs): PlatformAdapter {
  return {
    readListeners: async (port) => readLinuxListeners(port, fs),
    readAllListeners: async () => {
      const byteOrder = endianness();
      return [
        ...parseProcNetTcp(fs.readFile('/proc/net/tcp') ?? '', 4, undefined, byteOrder),
        ...parseProcNetTcp(fs.readFile('/proc/net/tcp6') ?? '', 6, undefined, byteOrder),
      ];
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
