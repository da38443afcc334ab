import { spawn } from 'node:child_process';
import type { CheckData } from '../../src/check/run-check.ts';
import type { Envelope } from '../../src/contract/envelope.ts';
import { existsSync } from 'node:fs';

import { bundlePath, coreExecutable } from './core-command.ts';

export { bundlePath } from './core-command.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/**
 * Runs the built bundle as a user would (a real child process), or the single executable when
 * TAPO_TEST_CORE names one (then `bundle` is not used).
 */
export function runCli(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    uid?: number;
    timeoutMs?: number;
    bundle?: string;
    /** Instead of TAPO_TEST_CORE's executable (a copy another user may run). */
    executable?: string;
  } = {},
): Promise<CliResult> {
  const executable = options.executable ?? coreExecutable();
  const bundle = options.bundle ?? bundlePath;
  if (executable === null && !existsSync(bundle))
    throw new Error(`${bundle} is missing: run npm run build first`);
  const [file, ...prefix] = executable === null ? [process.execPath, bundle] : [executable];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...prefix, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
}

export function parseEnvelope(stdout: string): Envelope<CheckData> {
  return JSON.parse(stdout) as Envelope<CheckData>;
}
