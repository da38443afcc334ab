// Parsers of the per-process files under /proc/<pid>, shared by the process-facts reader and the
// socket-owner scan.

export interface StatFields {
  name: string;
  ppid: number;
  startTicks: number;
}

/**
 * `pid (comm) state ppid ... starttime ...`. comm is free text (`(sd-pam)`, `tmux: server`,
 * `a) b`), so the fields are counted from the LAST `)`.
 */
export function parseStat(text: string | null): StatFields | null {
  if (text === null) return null;
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) return null;
  // After comm: field 3 (state) is index 0, field 4 (ppid) index 1, field 22 (starttime) index 19.
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  if (!Number.isInteger(ppid) || !Number.isInteger(startTicks)) return null;
  return { name: text.slice(open + 1, close), ppid, startTicks };
}

/** `Uid:` lists real, effective, saved and filesystem uid; the real one says who started it. */
export function parseRealUid(status: string | null): number | null {
  const match = status === null ? null : /^Uid:\s+(\d+)/m.exec(status);
  return match ? Number(match[1]) : null;
}
