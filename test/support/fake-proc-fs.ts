import type { ProcFs } from '../../src/system/proc-fs.ts';

export interface FakeTree {
  /** Path -> file text. A path mapped to null exists but is unreadable (EACCES). */
  files?: Record<string, string | null>;
  /** Path -> link target. A path mapped to null exists but is unreadable (EACCES). */
  links?: Record<string, string | null>;
  /** Owner uid per path (`/proc/<pid>`, `/proc/self`). */
  uids?: Record<string, number>;
  /** Directories that exist even with nothing listed under them (an fd table with no entries). */
  dirs?: string[];
}

export interface FakeProcFs extends ProcFs {
  /** Every call, as `method path`, to check what a function cost. */
  calls: string[];
}

/** An in-memory /proc: directories are inferred from the paths of files and links. */
export function makeFakeProcFs(tree: FakeTree): FakeProcFs {
  const files = tree.files ?? {};
  const links = tree.links ?? {};
  const uids = tree.uids ?? {};
  const paths = [...Object.keys(files), ...Object.keys(links), ...Object.keys(uids), ...(tree.dirs ?? [])];
  const calls: string[] = [];
  return {
    calls,
    readFile(path) {
      calls.push(`readFile ${path}`);
      return files[path] ?? null;
    },
    readLink(path) {
      calls.push(`readLink ${path}`);
      return links[path] ?? null;
    },
    readDir(path) {
      calls.push(`readDir ${path}`);
      const prefix = `${path}/`;
      const names = new Set<string>();
      for (const candidate of paths) {
        if (!candidate.startsWith(prefix)) continue;
        const name = candidate.slice(prefix.length).split('/')[0];
        if (name !== undefined && name !== '') names.add(name);
      }
      if (names.size === 0 && !(tree.dirs ?? []).includes(path)) return null;
      return [...names];
    },
    statUid(path) {
      calls.push(`statUid ${path}`);
      return uids[path] ?? null;
    },
  };
}

/** A /proc/<pid>/stat line with the given comm, ppid and start time; other fields are plausible filler. */
export function makeStatLine(pid: number, comm: string, ppid: number, startTicks = 1000): string {
  const afterPpid = [pid, pid, 0, -1, 4194560, 100, 0, 0, 0, 5, 2, 0, 0, 20, 0, 1, 0, startTicks, 1000, 200];
  return `${pid} (${comm}) S ${ppid} ${afterPpid.join(' ')} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0\n`;
}
