import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboardEnvironment } from '../../../src/start/dashboard-environment.ts';

describe('dashboardEnvironment', () => {
  it('tells the dashboard the requested port, its port, the status record and the resolution', () => {
    assert.deepEqual(
      dashboardEnvironment({ requestedPort: 7777, port: 7779, resolution: 'next' }, '/s/dashboard-7777.json'),
      {
        TAPO_DASHBOARD_REQUESTED_PORT: '7777',
        TAPO_DASHBOARD_PORT: '7779',
        TAPO_DASHBOARD_STATUS_FILE: '/s/dashboard-7777.json',
        TAPO_DASHBOARD_CONFLICT: 'next',
      },
    );
  });
});
