import type { Exec } from '../system/exec.ts';
import type { ListenerTable } from './listener.ts';
import { parseMacNetstat } from './parse-netstat-macos.ts';

// Absolute: cron and launchd jobs run with PATH=/usr/bin:/bin, which does not reach /usr/sbin.
const NETSTAT = '/usr/sbin/netstat';
const ARGS = ['-anv', '-p', 'tcp'];
const SOURCE = 'netstat -anv -p tcp';
const TIMEOUT_MS = 10_000;

/**
 * Listeners on `port` from `netstat -anv -p tcp`, which shows every user's PIDs without sudo
 * (lsof shows only our own processes). Process names come later, from the PID.
 */
export async function readMacListeners(port: number, exec: Exec): Promise<ListenerTable> {
  let result: Awaited<ReturnType<Exec>>;
  try {
    result = await exec(NETSTAT, ARGS, { timeoutMs: TIMEOUT_MS });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code ?? 'unknown error';
    return {
      readable: false,
      source: SOURCE,
      reason: `${NETSTAT} could not be run (${code}).`,
      warnings: [],
    };
  }
  if (result.code !== 0) {
    const reason =
      result.code === null
        ? `${NETSTAT} did not finish within ${TIMEOUT_MS / 1000} s.`
        : `${NETSTAT} exited with code ${result.code}: ${result.stderr.trim().split('\n')[0] ?? ''}`.trim();
    return { readable: false, source: SOURCE, reason, warnings: [] };
  }
  const listeners = parseMacNetstat(result.stdout, port);
  const warnings = listeners.some((listener) => listener.pid === null)
    ? [
        `netstat printed its columns in a layout this version does not know, so the PID is not shown; ` +
          `run: sudo lsof -nP -iTCP:${port} -sTCP:LISTEN`,
      ]
    : [];
  return { readable: true, source: SOURCE, listeners, warnings };
}
