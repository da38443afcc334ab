export interface FastlistProcess {
  pid: number;
  ppid: number;
  name: string;
}

/**
 * Processes from fastlist (the helper ps-list runs on Windows): one `pid<TAB>ppid<TAB>name` per
 * line, no header, CRLF from the MSVC runtime. The name is the executable's file name only and may
 * contain spaces (`[System Process]`, `Secure System`), so only tabs separate columns.
 */
export function parseFastlist(text: string): FastlistProcess[] {
  const processes: FastlistProcess[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const match = /^(\d+)\t(\d+)\t(.+)$/.exec(line);
    if (match === null) continue;
    processes.push({ pid: Number(match[1]), ppid: Number(match[2]), name: match[3] ?? '' });
  }
  return processes;
}
