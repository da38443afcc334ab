import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PortStatus } from '../../../src/check/port-status.ts';
import { summarizeCheck, type SummaryInput } from '../../../src/check/summarize-check.ts';
import { host, listener, owners, probe } from '../../support/check-fakes.ts';

const python = owners({
  listeners: [listener({ address: '0.0.0.0', family: 4, pid: 4242, processName: 'python3' })],
});
const onLoopback6 = owners({
  listeners: [listener({ address: '::1', family: 6, pid: 77, processName: 'node' })],
});

const summary = (status: PortStatus, fields: Partial<SummaryInput> = {}): string =>
  summarizeCheck({
    status,
    host: host('0.0.0.0'),
    port: 7777,
    owners: [],
    reservedRange: null,
    probe: probe('bound'),
    platform: 'linux',
    tableReadable: true,
    ...fields,
  });

describe('summarizeCheck', () => {
  const rows: [string, string][] = [
    [summary('free'), 'Port 7777 on 0.0.0.0 is free: the dashboard can use it.'],
    [summary('free', { host: host('::1') }), 'Port 7777 on [::1] is free: the dashboard can use it.'],
    [
      summary('free', { host: host('localhost') }),
      'Port 7777 on 127.0.0.1 is free: the dashboard can use it.',
    ],
    [
      summary('in-use', { owners: python }),
      'Port 7777 on 0.0.0.0 is in use: python3 (PID 4242) listening on 0.0.0.0:7777.',
    ],
    [
      summary('in-use', { owners: [...python, ...onLoopback6] }),
      'Port 7777 on 0.0.0.0 is in use: python3 (PID 4242) listening on 0.0.0.0:7777; node (PID 77) listening on [::1]:7777.',
    ],
    [
      summary('in-use', { probe: probe('in-use', 'EADDRINUSE') }),
      'Port 7777 on 0.0.0.0 is in use, but the socket table shows no owner (the bind failed with EADDRINUSE).',
    ],
    [
      summary('reserved', {
        port: 2500,
        reservedRange: { start: 2480, end: 2579, family: 4, administered: false },
      }),
      'Port 2500 on 0.0.0.0 is reserved by Windows (excluded port range 2480-2579, usually Hyper-V, WSL or Docker Desktop); no process holds it, but nothing can bind it.',
    ],
    [
      summary('reserved', {
        port: 50010,
        reservedRange: { start: 50000, end: 50059, family: 4, administered: true },
      }),
      'Port 50010 on 0.0.0.0 is reserved by Windows (excluded port range 50000-50059, added by an administrator); no process holds it, but nothing can bind it.',
    ],
    [
      summary('forbidden', { port: 80, probe: probe('forbidden', 'EACCES') }),
      'Port 80 on 0.0.0.0 cannot be bound (EACCES): ports below 1024 need privileges.',
    ],
    [
      summary('forbidden', { probe: probe('forbidden', 'EACCES') }),
      'Port 7777 on 0.0.0.0 cannot be bound (EACCES): an exclusive socket or security software refuses it.',
    ],
    [
      summary('shadowed', { owners: onLoopback6 }),
      'Port 7777 on 0.0.0.0 is free to bind, but node (PID 77) listening on [::1]:7777 also answers "localhost" on this port, so browsers may reach it instead of the dashboard.',
    ],
    [
      summary('unknown', { tableReadable: false }),
      'Port 7777 on 0.0.0.0: could not decide (the socket table could not be read), so it is not reported as free.',
    ],
    [
      summary('unknown', { probe: probe('error', 'EMFILE') }),
      'Port 7777 on 0.0.0.0: could not decide (the bind probe failed with EMFILE), so it is not reported as free.',
    ],
    [
      summary('forbidden', { probe: probe('forbidden', 'EACCES'), port: 80, platform: 'win32' }),
      'Port 80 on 0.0.0.0 cannot be bound (EACCES): an exclusive socket or security software refuses it.',
    ],
  ];
  rows.forEach(([actual, expected], index) => {
    it(`#${index + 1}: ${expected}`, () => assert.equal(actual, expected));
  });
});
