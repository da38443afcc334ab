import { formatRecordTime, statusExitCode, type StatusData } from './run-status.ts';
import { toDisplayText } from '../text/display-safe.ts';

const marker: Record<ReturnType<typeof statusExitCode>, string> = {
  0: '[OK]',
  13: '[!]',
  12: '[X]',
};

/** Human output of `status`: the summary, where it serves, and how to start it. ASCII only. */
export function renderStatusText(data: StatusData): string {
  const safe = (text: string, max = 400): string => toDisplayText(text, { maxLength: max });
  const lines = [`${marker[statusExitCode(data)]} ${safe(data.summary, 2000)}`];
  const record = data.record;
  if (record !== null) {
    const details: [string, string | null][] = [
      ['URL', record.url],
      ['Health URL', record.healthUrl],
      [
        'Started',
        record.dashboard === null
          ? null
          : `${formatRecordTime(record.startedAt)} (PID ${record.dashboard.pid})`,
      ],
      ['Log file', record.logFile],
    ];
    const known = details.filter((entry): entry is [string, string] => entry[1] !== null && entry[1] !== '');
    if (known.length > 0) lines.push('');
    for (const [label, value] of known) lines.push(`${`${label}:`.padEnd(12)}${safe(value, 1000)}`);
  }
  if (data.live.state === 'not-running') {
    lines.push('', `Start it: tapo-port start --port ${data.requestedPort}`);
  }
  return lines.join('\n') + '\n';
}
