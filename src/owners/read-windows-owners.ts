import { win32 } from 'node:path';
import { runTool } from '../platform/exec.ts';
import type { Exec } from '../platform/exec.ts';
import { system32Of } from '../sockets/read-listeners-windows.ts';
import type { WindowsReaderOptions } from '../sockets/read-listeners-windows.ts';
import { parseCimProcessJson } from './parse-cim-process-json.ts';
import { findHttpSysQueuesForPort, parseNetshHttpServiceState } from './parse-netsh-http.ts';
import type { HttpSysRequestQueue } from './parse-netsh-http.ts';
import { emptyProcessFacts } from './process-facts.ts';
import type { ProcessFacts } from './process-facts.ts';
import { buildCimQueryScript } from './windows-cim-query.ts';

export interface WindowsProcessFacts {
  /** Facts for every PID that still existed; a PID missing here has exited (see warnings). */
  processes: Map<number, ProcessFacts>;
  /** Windows services hosted by a PID (svchost), for `Stop-Service`. */
  services: Map<number, string[]>;
  warnings: string[];
}

export interface WindowsHttpSysQueues {
  /** Request queues with a URL on the port; null when netsh could not be read (unknown). */
  queues: HttpSysRequestQueue[] | null;
  warnings: string[];
}

export interface WindowsOwnerReport extends WindowsProcessFacts {
  /** As in WindowsHttpSysQueues; also null when PID 4 does not hold the port (not asked). */
  httpSysQueues: HttpSysRequestQueue[] | null;
}

/** PID 4, "System": the kernel, which holds the ports of http.sys URL registrations. */
export const SYSTEM_PID = 4;
const NETSH_TIMEOUT_MS = 10_000;
// Windows PowerShell starts in about a second, and the first WMI query on a cold machine can take
// several more; a shorter limit would turn a slow machine into an unknown owner.
const POWERSHELL_TIMEOUT_MS = 30_000;

/**
 * Facts about the processes that hold `port`. When PID 4 is among them, netsh tells which
 * processes serve the http.sys URLs on the port; it runs before PowerShell, not beside it, so one
 * PowerShell start covers those processes too.
 */
export async function readWindowsOwners(
  ownerPids: readonly number[],
  port: number,
  exec: Exec,
  options: WindowsReaderOptions = {},
): Promise<WindowsOwnerReport> {
  const pids = new Set(ownerPids);
  const warnings: string[] = [];
  let httpSysQueues: HttpSysRequestQueue[] | null = null;
  if (pids.has(SYSTEM_PID)) {
    const httpSys = await readWindowsHttpSysQueues(port, exec, options);
    httpSysQueues = httpSys.queues;
    warnings.push(...httpSys.warnings);
    for (const queue of httpSysQueues ?? []) queue.processIds.forEach((pid) => pids.add(pid));
  }
  const facts = await readWindowsProcessFacts([...pids], exec, options);
  return { ...facts, warnings: [...warnings, ...facts.warnings], httpSysQueues };
}

/** One PowerShell CIM query for exactly these PIDs (Win32_Process, Win32_Service, GetOwner). */
export async function readWindowsProcessFacts(
  pids: readonly number[],
  exec: Exec,
  options: WindowsReaderOptions = {},
): Promise<WindowsProcessFacts> {
  const facts: WindowsProcessFacts = { processes: new Map(), services: new Map(), warnings: [] };
  // PID 0 (idle, TIME_WAIT rows) is no process to ask about; the script builder refuses non-PIDs.
  const wanted = [...new Set(pids)].filter((pid) => Number.isInteger(pid) && pid > 0 && pid <= 0xffffffff);
  if (wanted.length === 0) return facts;
  const result = await runTool(
    exec,
    win32.join(system32Of(options), 'WindowsPowerShell', 'v1.0', 'powershell.exe'),
    ['-NoProfile', '-NonInteractive', '-Command', buildCimQueryScript(wanted)],
    // The script escapes every non-ASCII character, so UTF-8 and the OEM code page agree here.
    { timeoutMs: options.timeoutMs ?? POWERSHELL_TIMEOUT_MS, encoding: 'utf8' },
  );
  if (typeof result === 'string') {
    facts.warnings.push(`process details are unknown: ${result}`);
    return facts;
  }
  let report: ReturnType<typeof parseCimProcessJson>;
  try {
    report = parseCimProcessJson(result.stdout);
  } catch (error) {
    facts.warnings.push(`process details are unknown: ${(error as Error).message}`);
    return facts;
  }
  for (const [pid, partial] of report.processes) {
    const known = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
    facts.processes.set(pid, { ...emptyProcessFacts(pid), ...known, pid });
  }
  facts.services = report.services;
  for (const pid of wanted) {
    if (!facts.processes.has(pid)) facts.warnings.push(`PID ${pid} was not found; it may have exited`);
  }
  return facts;
}

/** http.sys request queues with a URL on `port`, from `netsh http show servicestate view=requestq`. */
export async function readWindowsHttpSysQueues(
  port: number,
  exec: Exec,
  options: WindowsReaderOptions = {},
): Promise<WindowsHttpSysQueues> {
  // Like netstat, netsh writes in the OEM code page; URLs and PIDs are ASCII, so latin1 is safe.
  // Image paths with non-ASCII letters may come out garbled: use the CIM path for display.
  const result = await runTool(
    exec,
    win32.join(system32Of(options), 'netsh.exe'),
    ['http', 'show', 'servicestate', 'view=requestq'],
    { timeoutMs: options.timeoutMs ?? NETSH_TIMEOUT_MS, encoding: 'latin1' },
  );
  if (typeof result === 'string')
    return { queues: null, warnings: [`http.sys registrations are unknown: ${result}`] };
  return { queues: findHttpSysQueuesForPort(parseNetshHttpServiceState(result.stdout), port), warnings: [] };
}
