import { isSea } from 'node:sea';

/**
 * How this very tapo-port is run again, for the fix commands it prints ("run it elevated: ...").
 * The single executable is one word (its own path; argv[1] there is only what was typed); the
 * bundle is Node and the bundle's path.
 */
export function selfCommandOf(run: {
  execPath: string;
  argv: readonly string[];
  singleExecutable: boolean;
}): string[] {
  if (run.singleExecutable) return [run.execPath];
  return [run.execPath, ...run.argv.slice(1, 2)];
}

/** This process's own command. */
export function thisSelfCommand(): string[] {
  return selfCommandOf({ execPath: process.execPath, argv: process.argv, singleExecutable: isSea() });
}
