import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameProcessStart } from '../../../src/owners/process-facts.ts';

describe('sameProcessStart', () => {
  const cases: [string, string | null, string | null, boolean][] = [
    ['equal times', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.000Z', true],
    [
      'a clock step of 1.5 s (Linux btime moved)',
      '2026-11-25T10:00:00.000Z',
      '2026-11-25T10:00:01.500Z',
      true,
    ],
    ['exactly 2 s apart', '2026-11-25T10:00:02.000Z', '2026-11-25T10:00:00.000Z', true],
    ['2.001 s apart: another process', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:02.001Z', false],
    ['an hour apart: the PID was reused', '2026-11-25T10:00:00.000Z', '2026-11-25T11:00:00.000Z', false],
    ['unknown now', '2026-11-25T10:00:00.000Z', null, true],
    ['never recorded', null, '2026-11-25T10:00:00.000Z', true],
    ['unparsable, equal', 'Tue Nov 25', 'Tue Nov 25', true],
    ['unparsable, different', 'Tue Nov 25', 'Wed Nov 26', false],
  ];
  for (const [name, recorded, now, expected] of cases) {
    it(name, () => assert.equal(sameProcessStart(recorded, now), expected));
  }
});
