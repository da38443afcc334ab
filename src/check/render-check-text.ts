import type { CheckData } from './run-check.ts';
import type { Warning } from '../contract/envelope.ts';
import type { Owner } from '../owners/owner.ts';
import { toDisplayText } from '../text/display-safe.ts';
import type { Fix } from './plan-fixes.ts';

export interface TextStyle {
  colour: boolean;
}

const marker: Record<CheckData['status'], { text: string; colour: string }> = {
  free: { text: '[OK]', colour: '32' },
  'in-use': { text: '[X]', colour: '31' },
  reserved: { text: '[X]', colour: '31' },
  forbidden: { text: '[X]', colour: '31' },
  shadowed: { text: '[!]', colour: '33' },
  unknown: { text: '[?]', colour: '33' },
};

/** Human output of `check`: ASCII only, so Windows PowerShell 5.1 shows no mojibake. */
export function renderCheckText(data: CheckData, warnings: readonly Warning[], style: TextStyle): string {
  const lines: string[] = [];
  const mark = marker[data.status];
  const paint = (code: string, text: string): string =>
    style.colour ? `\u001b[${code}m${text}\u001b[0m` : text;
  lines.push(`${paint(mark.colour, mark.text)} ${safe(data.summary, 4000)}`);

  if (data.owners.length > 0) {
    lines.push('', 'Who holds it:');
    for (const owner of data.owners) lines.push(...ownerLines(owner));
  }
  if (data.fixes.length > 0) {
    lines.push('', 'Fixes:');
    data.fixes.forEach((fix, index) => lines.push(...fixLines(fix, index + 1, data.platform)));
  }
  if (warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const warning of warnings) lines.push(`  - ${safe(warning.message, 400)}`);
  }
  return lines.join('\n') + '\n';
}

function ownerLines(owner: Owner): string[] {
  const lines = [`  - ${safe(owner.description, 600)}`];
  const detail = (label: string, value: string | null | undefined, max = 300): void => {
    if (value !== null && value !== undefined && value !== '')
      lines.push(`      ${label}: ${safe(value, max)}`);
  };
  const container = owner.container;
  if (container) {
    detail('container id', container.id.slice(0, 12));
    detail('restart policy', container.restartPolicy);
  }
  const facts = owner.process;
  if (facts) {
    // PID 4 is the kernel: it has no executable to show.
    if (owner.kind !== 'http.sys') detail('path', facts.path ?? 'hidden or unknown (run elevated to see)');
    detail('command line', facts.commandLine, 300);
    const user = facts.user ?? (facts.uid !== null ? `uid ${facts.uid}` : null);
    detail('user', user);
    detail('started', facts.startTime);
    if (facts.parentChain.length > 0) {
      detail('parents', facts.parentChain.map((p) => `${p.name ?? '?'} (PID ${p.pid})`).join(' < '));
    }
    detail('systemd unit', facts.systemdUnit);
  }
  if (owner.httpSys && owner.httpSys.urls.length > 0)
    detail('registered URLs', owner.httpSys.urls.join(', '));
  if (owner.hidden) detail('to see it', owner.hidden.revealCommand);
  return lines;
}

function fixLines(fix: Fix, number: number, platform: string): string[] {
  const lines = [`  ${number}. ${safe(fix.title, 400)}${fix.elevated ? elevationNote(platform) : ''}`];
  const shells: [string, string | null][] =
    platform === 'win32'
      ? [
          ['PowerShell', fix.commands.powershell],
          ['cmd', fix.commands.cmd],
        ]
      : [['', fix.commands.posix]];
  for (const [label, command] of shells) {
    if (command === null) continue;
    // Commands are quoted for their shell; non-ASCII is kept out of the terminal by escaping,
    // so a command with non-ASCII is shown only in JSON, which carries it intact.
    const shown = toDisplayText(command, { maxLength: 100000 });
    if (shown !== command) {
      lines.push(`       (command contains characters this terminal output cannot show; see --json)`);
      continue;
    }
    lines.push(label === '' ? `       ${command}` : `       ${label.padEnd(11)} ${command}`);
  }
  if (fix.note) lines.push(`     note: ${safe(fix.note, 400)}`);
  return lines;
}

function elevationNote(platform: string): string {
  return platform === 'win32' ? ' (as administrator)' : ' (needs sudo)';
}

function safe(text: string, maxLength: number): string {
  return toDisplayText(text, { maxLength });
}
