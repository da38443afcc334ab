// Supervisors that bring a stopped process back (systemd, pm2, nodemon, a respawning parent):
// found from the process's unit and its parents, with the command that stops the supervised program.
import { shellCommandFor } from '../text/fix-command.ts';
import { launchdStopArgv } from '../owners/launchd-commands.ts';
import type { ProcessFacts } from '../owners/process-facts.ts';
import { toDisplayName as shown } from '../text/display-safe.ts';
import type { Supervisor, StopPlanOptions } from './stop-plan-types.ts';

/** Parent names (comm, lower-cased, `.exe` dropped) of programs that restart their children. */
export const supervisorNames: readonly { test: RegExp; kind: Supervisor['kind']; label: string }[] = [
  // pm2's daemon renames itself `PM2 v5.3.0: God Daemon (...)`; comm keeps the first 15 bytes.
  { test: /^pm2\b/, kind: 'pm2', label: 'pm2' },
  { test: /^nodemon$/, kind: 'nodemon', label: 'nodemon' },
  { test: /^supervisord$/, kind: 'parent', label: 'supervisord' },
  { test: /^forever$/, kind: 'parent', label: 'forever' },
];

/** Command lines of interpreter parents: `node /usr/lib/node_modules/nodemon/bin/nodemon.js app.js`. */
export const supervisorScripts: readonly { test: RegExp; kind: Supervisor['kind']; label: string }[] = [
  { test: /(^|[\s/\\])nodemon(\.js|\.cmd)?(\s|$)/i, kind: 'nodemon', label: 'nodemon' },
  { test: /(^|[\s/\\])pm2(\.js)?(\s|$)|\bPM2 v\d/i, kind: 'pm2', label: 'pm2' },
  { test: /(^|[\s/\\])supervisord(\s|$)/i, kind: 'parent', label: 'supervisord' },
  {
    test: /(^|[\s/\\])forever(\.js)?(\s|$)|[/\\]forever[/\\]bin[/\\]monitor/i,
    kind: 'parent',
    label: 'forever',
  },
];

export interface FoundSupervisor extends Supervisor {
  label: string;
  pid: number | null;
}

export function findSupervisor(facts: ProcessFacts, options: StopPlanOptions): FoundSupervisor | null {
  // A unit's main process is started by systemd itself; a process a service merely spawned is
  // not the service (same rule as the fixes of `check`).
  if (facts.systemdUnit && facts.parentChain[0]?.name === 'systemd') {
    const user = facts.systemdUserUnit;
    const sudo = !user && options.currentUid !== 0;
    const argv = [
      ...(sudo ? ['sudo'] : []),
      'systemctl',
      ...(user ? ['--user'] : []),
      'stop',
      facts.systemdUnit,
    ];
    return {
      kind: 'systemd',
      command: shellCommandFor(options.platform, argv),
      label: `systemd ${user ? 'user ' : ''}unit ${shown(facts.systemdUnit)}`,
      pid: null,
    };
  }
  // launchd itself started this process for a job it keeps alive: stopping the process is undone.
  const job = facts.launchdJob;
  if (job !== null && job.keepAlive !== false && facts.ppid === 1) {
    return {
      kind: 'launchd',
      command: shellCommandFor(options.platform, launchdStopArgv(job, options.currentUid).bootout),
      label: `launchd job ${shown(job.label)} (${shown(job.domain)}${job.keepAlive ? ', KeepAlive' : ''})`,
      pid: null,
    };
  }
  for (const parent of facts.parentChain) {
    const name = (parent.name ?? '').toLowerCase().replace(/\.exe$/, '');
    const byName = supervisorNames.find((s) => s.test.test(name));
    const commandLine = options.parentCommandLines?.get(parent.pid) ?? null;
    const byScript =
      commandLine === null ? undefined : supervisorScripts.find((s) => s.test.test(commandLine));
    const match = byName ?? byScript;
    if (match) return supervisorFor(match.kind, match.label, parent.pid, facts, options);
  }
  return null;
}

export function supervisorFor(
  kind: Supervisor['kind'],
  label: string,
  parentPid: number,
  facts: ProcessFacts,
  options: StopPlanOptions,
): FoundSupervisor {
  const windows = options.platform === 'win32';
  const stopParent = windows
    ? `taskkill /PID ${parentPid} /T`
    : shellCommandFor(options.platform, ['kill', String(parentPid)]);
  // pm2 and supervisord name their programs; the name is not in the process facts, so the
  // command lists them (the user then stops the right one: `pm2 stop <name>`).
  const command =
    kind === 'pm2'
      ? 'pm2 list'
      : label === 'supervisord'
        ? 'supervisorctl status'
        : label === 'forever'
          ? shellCommandFor(options.platform, ['forever', 'stop', String(facts.pid)])
          : stopParent;
  return { kind, command, label: `${label} (PID ${parentPid})`, pid: parentPid };
}

export function supervisorLabel(supervisor: FoundSupervisor, _facts: ProcessFacts): string {
  const how =
    supervisor.kind === 'pm2'
      ? '; find its name with `pm2 list`, then `pm2 stop <name>`'
      : supervisor.label.startsWith('supervisord')
        ? '; find its name with `supervisorctl status`, then `supervisorctl stop <name>`'
        : '';
  return `${supervisor.label}${how}`;
}
