import type { Exec } from './exec.ts';

/**
 * One run per distinct command line: `check` reads the socket table for the port and again for
 * the next-free-port scan, and both must see the same snapshot without running netstat twice.
 */
export function memoizeExec(exec: Exec): Exec {
  const runs = new Map<string, ReturnType<Exec>>();
  return (file, args, options) => {
    const key = JSON.stringify([file, args, options?.encoding ?? 'utf8', options?.env ?? null]);
    let run = runs.get(key);
    if (!run) {
      run = exec(file, args, options);
      runs.set(key, run);
    }
    return run;
  };
}
