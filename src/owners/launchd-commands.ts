import type { LaunchdJob } from './process-facts.ts';

/**
 * The commands that end a launchd job for good, as argument arrays (quoted by the caller for the
 * shell). `bootout` removes the job from its domain, so KeepAlive cannot start it again until the
 * next login or boot loads it; `disable` keeps it from being loaded then too. The system domain
 * needs root. (`launchctl kill SIGTERM <target>` would only end the process: KeepAlive restarts it.)
 */
export function launchdStopArgv(
  job: LaunchdJob,
  currentUid: number | null,
): {
  bootout: string[];
  disable: string[];
} {
  const target = `${job.domain}/${job.label}`;
  const sudo = job.domain === 'system' && currentUid !== 0 ? ['sudo'] : [];
  return {
    bootout: [...sudo, 'launchctl', 'bootout', target],
    disable: [...sudo, 'launchctl', 'disable', target],
  };
}
