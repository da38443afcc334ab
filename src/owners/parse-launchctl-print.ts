/** What `launchctl print <domain>/<label>` says about a job, as far as stopping it goes. */
export interface LaunchctlPrint {
  /** `running`, `not running`, `spawn scheduled`, `waiting`, ... (the job's own, not an endpoint's). */
  state: string | null;
  pid: number | null;
  /** The plist (`path = ...`). */
  path: string | null;
  /** `properties = keepalive | runatload | ...`: true when keepalive is among them; null without the line. */
  keepAlive: boolean | null;
}

/**
 * Reads the top level of `launchctl print` (Sumo Logic's docs, macOS; boxen#104, OS X 10.10):
 * a `<target> = {` block whose direct `key = value` lines are one tab (or four spaces) in.
 * Nested blocks (`endpoints`, `environment`, `jetsam ...`) have their own `state =` lines, so
 * only the first level counts. Apple calls this output "NOT API": unknown lines are ignored and
 * a missing line is null, never a guess.
 */
export function parseLaunchctlPrint(text: string): LaunchctlPrint {
  const result: LaunchctlPrint = { state: null, pid: null, path: null, keepAlive: null };
  let depth = 0;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    const opens = trimmed.endsWith('{');
    if (trimmed === '}' || trimmed === '};') {
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth === 1) {
      const match = /^([a-z][a-z ()]*?) = (.*)$/.exec(trimmed);
      if (match !== null && !opens) {
        const [, key, value = ''] = match;
        if (key === 'state' && result.state === null) result.state = value;
        else if (key === 'pid' && /^\d+$/.test(value)) result.pid = Number(value);
        else if (key === 'path' && result.path === null) result.path = value;
        else if (key === 'properties')
          result.keepAlive = value.split('|').some((property) => property.trim() === 'keepalive');
      }
    }
    if (opens) depth += 1;
  }
  return result;
}
