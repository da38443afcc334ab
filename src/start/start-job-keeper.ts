import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { encodePowerShellCommand, windowsPowerShellPath } from '../system/windows-powershell.ts';
import { buildWindowsJobKeeperScript, type JobKeeperRequest } from './windows-job-keeper.ts';
import type { JobKeeperProcess } from './windows-job-control.ts';

/**
 * Starts the keeper in Windows PowerShell (the script as -EncodedCommand: its C# needs double
 * quotes; stdin carries the commands). Unreferenced, so it never keeps `start` alive: when
 * `start` exits, the keeper's stdin ends, and it ends what is left of the tree.
 */
export function startJobKeeper(request: JobKeeperRequest): JobKeeperProcess {
  const lineListeners: ((line: string) => void)[] = [];
  const exitListeners: ((code: number | null) => void)[] = [];
  let exited: number | null | undefined;
  const exit = (code: number | null): void => {
    if (exited !== undefined) return;
    exited = code;
    for (const listener of exitListeners) listener(code);
  };
  let child: ReturnType<typeof spawn> | null = null;
  try {
    const script = buildWindowsJobKeeperScript(request);
    child = spawn(
      windowsPowerShellPath(),
      [
        '-NoProfile',
        '-NonInteractive',
        '-ExecutionPolicy',
        'Bypass',
        '-EncodedCommand',
        encodePowerShellCommand(script),
      ],
      { stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true, shell: false },
    );
  } catch {
    queueMicrotask(() => exit(null));
  }
  if (child !== null) {
    const running = child;
    running.once('error', () => exit(null));
    running.once('exit', (code) => exit(code));
    // A write after it exited must not become an unhandled error.
    running.stdin?.on('error', () => undefined);
    if (running.stdout !== null) {
      createInterface({ input: running.stdout }).on('line', (line) => {
        for (const listener of lineListeners) listener(line);
      });
    }
    running.unref();
    for (const stream of [running.stdin, running.stdout])
      (stream as unknown as { unref?: () => void })?.unref?.();
  }
  return {
    onLine: (listener) => lineListeners.push(listener),
    onExit: (listener) => {
      if (exited !== undefined) listener(exited);
      else exitListeners.push(listener);
    },
    send: (command) => {
      if (child?.stdin?.writable === true) child.stdin.write(`${command}\n`);
    },
    end: () => {
      if (child?.stdin?.writable === true) child.stdin.end();
    },
  };
}
