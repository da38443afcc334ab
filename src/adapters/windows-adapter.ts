import { emptyProcessFacts } from '../owners/process-facts.ts';
import { readWindowsHttpSysQueues, readWindowsProcessFacts } from '../owners/read-windows-owners.ts';
import { readWslRelayFacts } from '../owners/read-wsl-relay.ts';
import {
  readWindowsDynamicPortRanges,
  readWindowsListenerTable,
  readWindowsReservedRanges,
} from '../sockets/read-listeners-windows.ts';
import { execFileText, type Exec } from '../system/exec.ts';
import { memoizeExec } from '../system/memoize-exec.ts';
import type { PlatformAdapter } from './platform-adapter.ts';

export function windowsAdapter(exec: Exec = memoizeExec(execFileText)): PlatformAdapter {
  return {
    readListeners: (port) => readWindowsListenerTable(port, exec),
    readListenersBetween: async (from, to) => {
      const table = await readWindowsListenerTable(undefined, exec);
      return table.readable
        ? { ...table, listeners: table.listeners.filter((l) => l.port >= from && l.port <= to) }
        : table;
    },
    readReservedRanges: async () => {
      const reserved = await readWindowsReservedRanges(exec);
      return { ranges: reserved.ranges, warnings: reserved.warnings };
    },
    readDynamicPortRanges: () => readWindowsDynamicPortRanges(exec),
    readOwnerFacts: async (pids) => {
      // Names for every PID come cheaply from fastlist (through ps-list); path, command line,
      // start time and services need one PowerShell CIM query, for the owner PIDs only.
      if (pids.length === 0) return { processes: new Map(), services: new Map(), warnings: [] };
      const [facts, names] = await Promise.all([readWindowsProcessFacts(pids, exec), readFastlistNames()]);
      for (const pid of pids) {
        const known = facts.processes.get(pid);
        const name = names.get(pid);
        if (name === undefined) continue;
        // fastlist still confirms the process exists when the CIM query could not run.
        facts.processes.set(
          pid,
          known ? { ...known, name: known.name ?? name } : { ...emptyProcessFacts(pid), name },
        );
      }
      return { processes: facts.processes, services: facts.services, warnings: facts.warnings };
    },
    readWslRelay: (port) => readWslRelayFacts(port, exec),
    readHttpSys: async (port) => {
      const { queues, warnings } = await readWindowsHttpSysQueues(port, exec);
      if (queues === null) return { urls: [], processIds: [], warnings };
      // Only queues netsh ties to the URL name their processes: when several unnamed queues share
      // it, any of them may serve the port, and none of their services may be offered for stopping.
      const certain = queues.filter((queue) => queue.urlSource === 'listed' || queue.urlSource === 'by-name');
      return {
        urls: [...new Set(queues.flatMap((queue) => queue.urls))],
        processIds: [...new Set(certain.flatMap((queue) => queue.processIds))],
        warnings:
          certain.length < queues.length
            ? [
                `netsh does not say which of several http.sys request queues serves port ${port}; run netsh http show servicestate view=requestq as administrator`,
              ]
            : [],
      };
    },
  };
}

async function readFastlistNames(): Promise<Map<number, string>> {
  try {
    const { default: psList } = await import('ps-list');
    return new Map((await psList()).map((p) => [p.pid, p.name]));
  } catch {
    return new Map();
  }
}
