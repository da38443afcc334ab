import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';

/**
 * The few synchronous reads the Linux readers make under /proc and /etc. Injected so the logic can
 * be tested against an in-memory tree; every method answers null for "not there or not for us".
 */
export interface ProcFs {
  readFile(path: string): string | null;
  readLink(path: string): string | null;
  readDir(path: string): string[] | null;
  /** Owner uid of a path. `/proc/<pid>` belongs to the process's uid, `/proc/self` to ours. */
  statUid(path: string): number | null;
}

// A process can exit between listing /proc and reading it (ENOENT, ESRCH), and another user's fd
// table and exe link are closed to us (EACCES, EPERM). Those are answers, not failures. Anything
// else (EMFILE, EIO) is a real fault and is left to surface.
const ABSENT_CODES = new Set(['ENOENT', 'ENOTDIR', 'ESRCH', 'EACCES', 'EPERM']);

function readOrNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code !== undefined && ABSENT_CODES.has(code)) return null;
    throw error;
  }
}

export const realProcFs: ProcFs = {
  readFile: (path) => readOrNull(() => readFileSync(path, 'utf8')),
  readLink: (path) => readOrNull(() => readlinkSync(path)),
  readDir: (path) => readOrNull(() => readdirSync(path)),
  statUid: (path) => readOrNull(() => statSync(path).uid),
};
