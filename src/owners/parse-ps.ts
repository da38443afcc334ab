import { emptyProcessFacts, type ProcessFacts } from './process-facts.ts';

/**
 * Parses `ps -ww -o pid=,ppid=,uid=,user=,lstart=,comm= -p <pids>` (macOS/BSD): five fixed
 * columns, `lstart` as five words (`Wed Nov 25 12:34:47 2026`, local time), then the executable
 * path, which may contain spaces and is therefore taken as the rest of the line.
 */
export function parsePsFacts(
  text: string,
  toIsoUtc: (lstart: string) => string | null,
): Map<number, ProcessFacts> {
  const facts = new Map<number, ProcessFacts>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d{4})\s+(.*)$/.exec(
      line,
    );
    if (!match) continue;
    const [, pid = '', ppid = '', uid = '', user = '', lstart = '', command = ''] = match;
    const path = command.trim();
    facts.set(Number(pid), {
      ...emptyProcessFacts(Number(pid)),
      ppid: Number(ppid),
      uid: Number(uid),
      user,
      startTime: toIsoUtc(lstart),
      path: path.startsWith('/') ? path : null,
      name: path.split('/').pop() || null,
    });
  }
  return facts;
}

/** Parses `ps -ww -o pid=,args= -p <pids>`: the command line is the rest of each line. */
export function parsePsArgs(text: string): Map<number, string> {
  const args = new Map<number, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(\d+)\s(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) args.set(Number(match[1]), match[2].trim());
  }
  return args;
}
