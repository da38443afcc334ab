import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CheckData } from '../../src/check/run-check.ts';
import type { Envelope } from '../../src/contract/envelope.ts';

export const bundlePath = path.join(import.meta.dirname, '..', '..', 'dist', 'tapo-port.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs the built bundle as a user would (a real child process). */
export function runCli(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    uid?: number;
    timeoutMs?: number;
    bundle?: string;
  } = {},
): Promise<CliResult> {
  const bundle = options.bundle ?? bundlePath;
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], {
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
