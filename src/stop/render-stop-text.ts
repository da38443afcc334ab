import type { StopData } from './stop-types.ts';
import { toDisplayText } from '../text/display-safe.ts';

const marker: Record<StopData['outcome'], string> = {
  stopped: '[OK]',
  'would-stop': '[DRY RUN]',
  'nothing-to-stop': '[OK]',
  refused: '[X]',
  failed: '[X]',
  'timed-out': '[X]',
};

/** Human output of `stop`: the plan (what, how, why), what was done, and the result. ASCII only. */
export function renderStopText(data: StopData, platform: NodeJS.Platform): string {
  const safe = (text: string, max = 400): string => toDisplayText(text, { maxLength: max });
  const lines = [`${marker[data.outcome]} ${safe(data.summary, 2000)}`];
  if (data.plan.targets.length > 0) {
    lines.push('', data.dryRun ? 'Would stop:' : 'Stopped or asked to stop:');
    for (const target of data.plan.targets) {
      lines.push(`  - ${safe(target.description)}`, `      why: ${safe(target.why)}`);
      if (target.restartPolicyWarning) lines.push(`      note: ${safe(target.restartPolicyWarning)}`);
    }
  }
  if (data.plan.refusals.length > 0) {
    lines.push('', 'Not stopped:');
    for (const refusal of data.plan.refusals) {
      lines.push(`  - ${safe(refusal.owner)}: ${safe(refusal.reason)}`);
      // Commands are shown only when they are plain ASCII: quoted for their shell, they would
      // otherwise be altered by escaping (JSON carries them intact).
      const command = refusal.command ?? refusal.supervisor?.command ?? null;
      if (command !== null) {
        lines.push(
          toDisplayText(command, { maxLength: 100000 }) === command
            ? `      instead: ${command}`
            : '      instead: (a command with characters this output cannot show; see --json)',
        );
      }
    }
  }
  if (data.actions.length > 0) {
    lines.push('', 'Actions:');
    for (const action of data.actions) {
      const who = action.target.name ?? action.target.containerId ?? action.target.serviceName ?? '?';
      const pid = action.target.pid === null ? '' : ` (PID ${action.target.pid})`;
      lines.push(
        `  ${action.at}  ${action.action} ${safe(who, 80)}${pid}: ${action.outcome}${action.detail ? ` - ${safe(action.detail)}` : ''}`,
      );
    }
  }
  if (data.respawn) {
    lines.push(
      '',
      `Respawned by ${safe(data.respawn.parentName ?? 'its parent')} (PID ${data.respawn.parentPid}); stop that instead:`,
    );
    lines.push(`      ${toDisplayText(data.respawn.command, { maxLength: 1000 })}`);
  }
  if (data.forced)
    lines.push(
      '',
      platform === 'win32'
        ? 'It was ended forcefully (TerminateProcess).'
        : 'It was ended forcefully (SIGKILL).',
    );
  return lines.join('\n') + '\n';
}
