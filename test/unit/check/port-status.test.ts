import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeForStatus } from '../../../src/check/port-status-exit.ts';
import { decidePortStatus, type PortStatus, type PortStatusInput } from '../../../src/check/port-status.ts';
import type { BindOutcome } from '../../../src/system/bind-probe.ts';
import type { ReservedRange } from '../../../src/sockets/reserved-range.ts';
import { probe } from '../../support/check-fakes.ts';

const hyperV: ReservedRange = { start: 7720, end: 7819, family: 4, administered: false };
const administered: ReservedRange = { start: 50000, end: 50059, family: 4, administered: true };

const input = (fields: Partial<PortStatusInput>): PortStatusInput => ({
  probe: probe('bound'),
  tableReadable: true,
  blockingCount: 0,
  shadowingCount: 0,
  publishingContainerCount: 0,
  reservedRange: null,
  ...fields,
});

describe('decidePortStatus', () => {
  const rows: [string, Partial<PortStatusInput>, PortStatus][] = [
    ['nothing there and the bind works', {}, 'free'],
    [
      'a blocking listener, even when the bind works (Windows/macOS wildcard)',
      { blockingCount: 1 },
      'in-use',
    ],
    ['the bind says EADDRINUSE with an empty table', { probe: probe('in-use', 'EADDRINUSE') }, 'in-use'],
    [
      'a blocking listener wins over a reserved range',
      { blockingCount: 2, reservedRange: hyperV, probe: probe('forbidden', 'EACCES') },
      'in-use',
    ],
    [
      'a reserved range with EACCES',
      { reservedRange: hyperV, probe: probe('forbidden', 'EACCES') },
      'reserved',
    ],
    ['EACCES with no range (privileged port)', { probe: probe('forbidden', 'EACCES') }, 'forbidden'],
    ['EPERM with no range', { probe: probe('forbidden', 'EPERM') }, 'forbidden'],
    [
      'a container publishes the port with no host socket (DNAT, rootless)',
      { publishingContainerCount: 1 },
      'in-use',
    ],
    ['a shadowing listener and the bind works', { shadowingCount: 1 }, 'shadowed'],
    [
      'a shadowing listener and the bind failed oddly',
      { shadowingCount: 1, probe: probe('error', 'EINVAL') },
      'unknown',
    ],
    [
      'a shadowing listener and the bind is refused as in use',
      { shadowingCount: 1, probe: probe('in-use', 'EADDRINUSE') },
      'in-use',
    ],
    ['table unreadable, bind works', { tableReadable: false }, 'unknown'],
    [
      'table unreadable, bind refused as in use',
      { tableReadable: false, probe: probe('in-use', 'EADDRINUSE') },
      'in-use',
    ],
    ['table unreadable, EACCES', { tableReadable: false, probe: probe('forbidden', 'EACCES') }, 'forbidden'],
    ['table readable and empty, but the bind failed oddly', { probe: probe('error', 'EINVAL') }, 'unknown'],
  ];
  for (const [name, fields, expected] of rows) {
    it(`${name}: ${expected}`, () => assert.equal(decidePortStatus(input(fields)), expected));
  }

  it('never says free when the table could not be read, whatever the rest says', () => {
    const outcomes: BindOutcome[] = ['bound', 'in-use', 'forbidden', 'address-not-local', 'error'];
    for (const outcome of outcomes) {
      for (const reservedRange of [null, hyperV]) {
        for (const shadowingCount of [0, 1]) {
          const status = decidePortStatus(
            input({ tableReadable: false, probe: probe(outcome), reservedRange, shadowingCount }),
          );
          assert.notEqual(status, 'free', `${outcome} ${reservedRange ? 'reserved' : ''} ${shadowingCount}`);
        }
      }
    }
  });

  it('says free only when the bind worked and nothing blocks, shadows or publishes', () => {
    const outcomes: BindOutcome[] = ['bound', 'in-use', 'forbidden', 'address-not-local', 'error'];
    for (const outcome of outcomes) {
      for (const blockingCount of [0, 1]) {
        for (const shadowingCount of [0, 1]) {
          for (const publishingContainerCount of [0, 1]) {
            const fields = { probe: probe(outcome), blockingCount, shadowingCount, publishingContainerCount };
            const free =
              outcome === 'bound' && blockingCount + shadowingCount + publishingContainerCount === 0;
            assert.equal(decidePortStatus(input(fields)) === 'free', free, JSON.stringify(fields));
          }
        }
      }
    }
  });

  // An administered (`*`) exclusion is one an administrator added with `netsh ... add
  // excludedportrange`; Windows keeps it from Hyper-V/WinNAT and from the dynamic range, but
  // programs can still bind it (the usual fix for a port Hyper-V kept taking). When the real bind
  // worked, the port is usable: calling it "reserved" sends the user to fix a non-problem.
  it('does not call a port reserved when the bind worked inside an administered range', () => {
    assert.equal(decidePortStatus(input({ reservedRange: administered, probe: probe('bound') })), 'free');
  });
});

describe('exitCodeForStatus', () => {
  const rows: [PortStatus, number][] = [
    ['free', 0],
    ['in-use', 1],
    ['reserved', 1],
    ['forbidden', 1],
    ['shadowed', 1],
    ['unknown', 4],
  ];
  for (const [status, code] of rows) {
    it(`${status} -> exit ${code}`, () => assert.equal(exitCodeForStatus(status), code));
  }
});

// Every range kind against every probe outcome, with a readable table and nothing listening:
// a range Windows drew blocks whatever the probe said (a bind that "worked" inside it does not
// make it free), an administrator's range blocks only when the bind failed.
describe('decidePortStatus: reserved ranges against every probe outcome', () => {
  const outcomes: BindOutcome[] = ['bound', 'in-use', 'forbidden', 'address-not-local', 'error'];
  const blocked = { forbidden: 'reserved', 'address-not-local': 'reserved', error: 'reserved' } as const;
  const expected: Record<string, Record<BindOutcome, PortStatus>> = {
    none: {
      bound: 'free',
      'in-use': 'in-use',
      forbidden: 'forbidden',
      'address-not-local': 'unknown',
      error: 'unknown',
    },
    'Windows (Hyper-V/WinNAT)': { bound: 'reserved', 'in-use': 'in-use', ...blocked },
    administrator: { bound: 'free', 'in-use': 'in-use', ...blocked },
  };
  const ranges: Record<string, ReservedRange | null> = {
    none: null,
    'Windows (Hyper-V/WinNAT)': hyperV,
    administrator: administered,
  };
  for (const [kind, range] of Object.entries(ranges)) {
    for (const outcome of outcomes) {
      const want = expected[kind]?.[outcome];
      it(`range ${kind}, probe ${outcome}: ${want}`, () => {
        assert.equal(decidePortStatus(input({ reservedRange: range, probe: probe(outcome) })), want);
      });
    }
  }
});
