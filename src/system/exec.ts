import { execFile } from 'node:child_process';

export interface ExecOptions {
  timeoutMs?: number;
  /**
   * How the child's bytes become text. Windows tools write in the console's OEM code page, which
   * Node cannot decode; callers that only read ASCII fields choose 'latin1' so no byte is lost or
   * turned into U+FFFD, and callers of UTF-8 producers (our PowerShell script) choose 'utf8'.
   */
  encoding?: 'utf8' | 'latin1';
  /** Variables set on top of this process's environment (e.g. `LC_ALL=C` for fixed formats). */
  env?: Record<string, string>;
  /** Working directory of the child (the dashboard's project, for a module lookup). */
  cwd?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the child was killed (timeout or signal) before it exited. */
  code: number | null;
}

/**
 * Runs one program with an argument array, never through a shell. Injected everywhere so readers
 * can be tested with recorded output. Resolves for every child that started, whatever its exit
 * code; rejects only when it could not be started or produced more output than allowed.
 */
export type Exec = (file: string, args: string[], options?: ExecOptions) => Promise<ExecResult>;

const DEFAULT_TIMEOUT_MS = 15_000;
// netstat on a busy server (tens of thousands of Bound/TIME_WAIT rows) exceeds Node's 1 MB default.
const MAX_BUFFER_BYTES = 64 * 1024 * 1024;

export const execFileText: Exec = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        encoding: options.encoding ?? 'utf8',
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBuffer: MAX_BUFFER_BYTES,
        windowsHide: true,
        shell: false,
        ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        // A numeric code is the exit status of a child that ran; a killed child has code null and a
        // signal. Anything else (ENOENT, EACCES, maxBuffer exceeded) means we have no usable output.
        const code: unknown = error.code;
        if (typeof code === 'number') {
          resolve({ stdout, stderr, code });
        } else if (error.killed === true || typeof error.signal === 'string') {
          resolve({ stdout, stderr, code: null });
        } else {
          reject(error);
        }
      },
    );
  });

/** Why a tool gave no usable output: one sentence, and whether the tool is not installed. */
export interface ToolFailure {
  reason: string;
  /** The program could not be found (ENOENT): a missing dependency, not a failing one. */
  missing: boolean;
  /** The exit code when the program ran and failed; null when it did not run or was stopped. */
  exitCode: number | null;
}

export function isToolFailure(result: ExecResult | ToolFailure): result is ToolFailure {
  return 'reason' in result;
}

/**
 * Runs a tool and returns its output when it exited with 0, else why there is no output, for the
 * report's reason or warnings. Decides by exit code and error code only.
 */
export async function runTool(
  exec: Exec,
  file: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult | ToolFailure> {
  // A long argument is a script; the sentence names the tool, not the script.
  const shown = args.map((arg) => (arg.length > 60 ? '<script>' : arg));
  const command = [file.split(/[\\/]/).pop() ?? file, ...shown].join(' ');
  let result: ExecResult;
  try {
    result = await exec(file, args, options);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      reason: `could not run ${command} (${typeof code === 'string' ? code : String(error)})`,
      missing: code === 'ENOENT',
      exitCode: null,
    };
  }
  if (result.code === 0) return result;
  if (result.code === null) {
    return {
      reason: `${command} was stopped before it finished (time limit ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms)`,
      missing: false,
      exitCode: null,
    };
  }
  const detail = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/)[0] ?? '';
  return {
    reason: `${command} exited with code ${result.code}${detail === '' ? '' : `: ${detail}`}`,
    missing: false,
    exitCode: result.code,
  };
}
