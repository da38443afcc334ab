// What `start` tells the dashboard it launches, through its environment (docs/start.md, "What the
// dashboard is told"): the port it was asked for, the port it got, and where the status record
// with the conflict and its resolution is. The original project planned a "port conflict
// notification in the health dashboard"; this is its feed. Pure.

/** Why the dashboard runs where it runs. */
export type LaunchResolution = 'none' | 'next' | 'stopped';

export interface LaunchContext {
  requestedPort: number;
  port: number;
  resolution: LaunchResolution;
}

export const dashboardEnvironmentNames = {
  requestedPort: 'TAPO_DASHBOARD_REQUESTED_PORT',
  port: 'TAPO_DASHBOARD_PORT',
  statusFile: 'TAPO_DASHBOARD_STATUS_FILE',
  conflict: 'TAPO_DASHBOARD_CONFLICT',
} as const;

export function dashboardEnvironment(context: LaunchContext, statusFile: string): Record<string, string> {
  const names = dashboardEnvironmentNames;
  return {
    [names.requestedPort]: String(context.requestedPort),
    [names.port]: String(context.port),
    [names.statusFile]: statusFile,
    [names.conflict]: context.resolution,
  };
}
