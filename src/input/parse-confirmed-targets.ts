import { TapoError } from '../contract/error-catalogue.ts';

/**
 * `--confirmed 4242@2026-11-24T09:15:02.410Z --confirmed container:0f3c...`: the targets a person
 * confirmed after a dry run, as `stopTargetKey` names them (a PID with its start time, or a
 * container's full id). Each value may also be a comma-separated list. Pure.
 */
export function parseConfirmedTargets(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => String(value).split(','));
  return items.map((item) => {
    const text = item.trim();
    if (
      /^[1-9]\d{0,9}@\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text) ||
      /^container:[0-9a-f]{12,64}$/.test(text)
    ) {
      return text;
    }
    throw new TapoError(
      'E_USAGE',
      `invalid --confirmed ${JSON.stringify(text)}: expected PID@START-TIME or container:ID`,
      'Use the targets of a dry run (stop --dry-run --json): the pid and startTime of a process, or container:<containerId>.',
    );
  });
}
