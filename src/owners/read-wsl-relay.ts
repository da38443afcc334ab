import { win32 } from 'node:path';
import { parseProcNetTables } from '../sockets/parse-proc-net-tables.ts';
import { isToolFailure, runTool, type Exec } from '../system/exec.ts';
import { system32Of } from '../system/windows-paths.ts';
import { parseWslRunningList } from './parse-wsl-list.ts';
import type { WslRelayFacts } from './wsl-relay-facts.ts';

export interface WslReaderOptions {
  systemRoot?: string;
  timeoutMs?: number;
}

/** wsl.exe waits on the WSL service, which is what hangs when WSL is broken: a short limit. */
const WSL_TIMEOUT_MS = 5_000;

/**
 * Asks WSL whether anything inside still listens on `port`: which distributions run
 * (`wsl --list --running --quiet`, which starts none), then the TCP tables of the first running
 * one (`cat /proc/net/tcp /proc/net/tcp6`: every distribution has `cat`, not every one has `ss`;
 * WSL 2 distributions share one network namespace, so one table shows them all). Nothing is
 * started that was not running.
 */
export async function readWslRelayFacts(
  port: number,
  exec: Exec,
  options: WslReaderOptions = {},
): Promise<WslRelayFacts> {
  const wsl = win32.join(system32Of(options), 'wsl.exe');
  const run = {
    encoding: 'latin1' as const,
    timeoutMs: options.timeoutMs ?? WSL_TIMEOUT_MS,
    env: { WSL_UTF8: '1' },
  };
  const list = await runTool(exec, wsl, ['--list', '--running', '--quiet'], run);
  if (isToolFailure(list)) return { answer: 'unknown', reason: list.reason };
  const running = parseWslRunningList(list.stdout);
  if (running === null) return { answer: 'unknown', reason: 'wsl --list --running --quiet gave no list' };
  const distribution = running[0];
  if (distribution === undefined) return { answer: 'no-distribution-running' };
  const tables = await runTool(
    exec,
    wsl,
    ['--distribution', distribution, '--exec', 'cat', '/proc/net/tcp', '/proc/net/tcp6'],
    run,
  );
  if (isToolFailure(tables)) return { answer: 'unknown', reason: tables.reason };
  const listeners = parseProcNetTables(tables.stdout, port);
  if (listeners === null) return { answer: 'unknown', reason: `no TCP table came back from ${distribution}` };
  if (listeners.length === 0) return { answer: 'nothing-listening', distribution };
  return { answer: 'listening', distribution, addresses: listeners };
}
