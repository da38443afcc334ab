import type { ReservedRange } from './reserved-range.ts';

// Only the data rows have this shape; the title, the column header and the footer are localized
// (see the zh-CN fixture), so they are recognised by not matching rather than by their words.
// A trailing `*` marks a range an administrator added (`netsh ... add excludedportrange`).
const RANGE_ROW = /^\s*(\d+)\s+(\d+)(\s+\*)?\s*$/;

/**
 * Excluded port ranges from `netsh interface ipv4|ipv6 show excludedportrange protocol=tcp`.
 * `family` is not in the output: the caller knows which of the two commands it ran.
 */
export function parseExcludedPortRanges(text: string, family: 4 | 6): ReservedRange[] {
  const ranges: ReservedRange[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const match = RANGE_ROW.exec(line);
    if (match === null) continue;
    const start = Number(match[1]);
    const end = Number(match[2]);
    // A row that is not a possible range is not netsh's; ignore it rather than invent a range.
    if (start < 1 || end > 65535 || start > end) continue;
    ranges.push({ start, end, family, administered: match[3] !== undefined });
  }
  return ranges;
}
