import { win32 } from 'node:path';
import { isToolFailure, runTool } from '../system/exec.ts';
import type { Exec } from '../system/exec.ts';
import { system32Of } from '../system/windows-paths.ts';
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

const NETSH_TIMEOUT_MS = 10_000;
// Windows PowerShell starts in about a second, and the first WMI query on a cold machine can take
// several more; a shorter limit would turn a slow machine into an unknown owner.
const POWERSHELL_TIMEOUT_MS = 30_000;

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
  if (isToolFailure(result)) {
    facts.warnings.push(`process details are unknown: ${result.reason}`);
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
  if (isToolFailure(result)) {
    return { queues: null, warnings: [`http.sys registrations are unknown: ${result.reason}`] };
  }
  return { queues: findHttpSysQueuesForPort(parseNetshHttpServiceState(result.stdout), port), warnings: [] };
}
