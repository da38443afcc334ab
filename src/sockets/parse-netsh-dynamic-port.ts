/**
 * The dynamic (ephemeral) port range from `netsh int ipvX show dynamicport tcp`:
 *
 *     Protocol tcp Dynamic Port Range
 *     ---------------------------------
 *     Start Port      : 49152
 *     Number of Ports : 16384
 *
 * The labels are localized, so only the shape is read: the first two `label : number` lines are
 * the start and the count. Null when the output has no such pair or the numbers make no range.
 */
export function parseNetshDynamicPort(text: string): { start: number; end: number } | null {
  const numbers = text
    .split(/\r?\n/)
    .map((line) => /^[^:：]*[^:：\s][^:：]*[:：]\s*(\d{1,5})\s*$/.exec(line)?.[1])
    .filter((value): value is string => value !== undefined)
    .map(Number);
  const [start, count] = numbers;
  if (start === undefined || count === undefined) return null;
  const end = start + count - 1;
  if (start < 1 || count < 1 || end > 65535) return null;
  return { start, end };
}
