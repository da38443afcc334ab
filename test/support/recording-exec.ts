// A fake Exec that records every call and answers from the test's own table: recorded bytes are
// decoded the way execFileText would decode them for that call (its `encoding`), an Error is
// thrown, and a command the test did not expect fails it.
import type { Exec, ExecOptions, ExecResult } from '../../src/system/exec.ts';

export interface ExecCall {
  file: string;
  args: string[];
  options: ExecOptions | undefined;
}

export type ExecAnswer = Buffer | ExecResult | Error;

export function recordingExec(answerFor: (file: string, args: string[]) => ExecAnswer | undefined): {
  exec: Exec;
  calls: ExecCall[];
} {
  const calls: ExecCall[] = [];
  const exec: Exec = async (file, args, options) => {
    calls.push({ file, args, options });
    const answer = answerFor(file, args);
    if (answer === undefined) throw new Error(`unexpected command ${file} ${args.join(' ')}`);
    if (answer instanceof Error) throw answer;
    if (Buffer.isBuffer(answer))
      return { stdout: answer.toString(options?.encoding ?? 'utf8'), stderr: '', code: 0 };
    return answer;
  };
  return { exec, calls };
}
