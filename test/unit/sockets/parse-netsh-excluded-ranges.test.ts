import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseExcludedPortRanges } from '../../../src/sockets/parse-netsh-excluded-ranges.ts';
import { findReservedRange } from '../../../src/sockets/reserved-range.ts';
import type { ReservedRange } from '../../../src/sockets/reserved-range.ts';

// Real captures: see test/fixtures/windows/PROVENANCE.md.
const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'windows');
const textOf = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

type Row = [start: number, end: number, administered: boolean];
const rowsOf = (ranges: ReservedRange[]): Row[] => ranges.map((r) => [r.start, r.end, r.administered]);

describe('parseExcludedPortRanges', () => {
  it('reads the CI runner table, keeping netsh trailing pad spaces out of the way', () => {
    const ranges = parseExcludedPortRanges(
      textOf('excludedportrange-tcp.en.ci-runner.before.otel-collector-10839.txt'),
      4,
    );
    assert.deepEqual(ranges, [
      { start: 80, end: 80, family: 4, administered: false },
      { start: 5986, end: 5986, family: 4, administered: false },
      { start: 47001, end: 47001, family: 4, administered: false },
      { start: 56638, end: 56737, family: 4, administered: false },
      { start: 56738, end: 56837, family: 4, administered: false },
    ]);
  });

  it('marks the row an administrator added (`*` in place of the padding)', () => {
    const text = textOf('excludedportrange-tcp.en.ci-runner.after-admin-star.otel-collector-10839.txt');
    assert.deepEqual(rowsOf(parseExcludedPortRanges(text, 4)), [
      [80, 80, false],
      [5986, 5986, false],
      [47001, 47001, false],
      [55679, 55679, true],
    ]);
  });

  it('reads Hyper-V/Docker blocks of 100 ports without trailing spaces', () => {
    const text = textOf('excludedportrange-tcp.en.hyperv-docker.for-win-3171.txt');
    const ranges = parseExcludedPortRanges(text, 4);
    assert.deepEqual(rowsOf(ranges), [
      [1583, 1682, false],
      [1683, 1782, false],
      [2480, 2579, false],
      [4492, 4591, false],
      [5357, 5357, false],
      [5614, 5713, false],
      [5834, 5933, false],
      [5940, 6039, false],
      [6045, 6144, false],
      [6276, 6375, false],
      [6491, 6590, false],
      [6897, 6996, false],
      [7003, 7102, false],
      [28385, 28385, false],
      [50000, 50059, true],
    ]);
    assert.deepEqual(findReservedRange(ranges, 7050), {
      start: 7003,
      end: 7102,
      family: 4,
      administered: false,
    });
    assert.equal(findReservedRange(ranges, 7777), null);
  });

  it('reads single-port ranges beside wide ones', () => {
    const text = textOf('excludedportrange-tcp.en.hyperv-single-ports.cloudsql-blog.txt');
    const ranges = parseExcludedPortRanges(text, 4);
    assert.equal(ranges.length, 21);
    assert.deepEqual(rowsOf(ranges.slice(15, 19)), [
      [22221, 22221, false],
      [22223, 22223, false],
      [49152, 49152, false],
      [49153, 49153, false],
    ]);
    assert.equal(findReservedRange(ranges, 22222), null);
  });

  it('reads the zh-CN table by its rows alone; the administered row is not the last one', () => {
    const text = textOf('excludedportrange-tcp.zh-CN.WhimboxLauncher-21.txt');
    const ranges = parseExcludedPortRanges(text, 4);
    assert.equal(ranges.length, 18);
    assert.deepEqual(rowsOf(ranges.slice(-3)), [
      [47001, 47001, false],
      [50000, 50059, true],
      [54235, 54235, false],
    ]);
    assert.deepEqual(rowsOf(ranges.slice(0, 2)), [
      [1607, 1706, false],
      [1707, 1806, false],
    ]);
  });

  it('reads every row of every table it is given (the reader runs protocol=tcp, one table)', () => {
    const text = textOf('excludedportrange-tcp-and-udp.en.ci-runner.deindented.otel-contrib-10872.txt');
    assert.deepEqual(rowsOf(parseExcludedPortRanges(text, 4)), [
      [80, 80, false],
      [5986, 5986, false],
      [47001, 47001, false],
      [51417, 51516, false],
      [51517, 51616, false],
      [56030, 56129, false],
      [56130, 56229, false],
    ]);
  });

  it('gives the same rows for CRLF and labels them with the family asked for', () => {
    const text = textOf('excludedportrange-tcp.en.ci-runner.after-admin-star.otel-collector-10839.txt');
    const crlf = parseExcludedPortRanges(text.replace(/\n/g, '\r\n'), 6);
    assert.deepEqual(crlf, [
      { start: 80, end: 80, family: 6, administered: false },
      { start: 5986, end: 5986, family: 6, administered: false },
      { start: 47001, end: 47001, family: 6, administered: false },
      { start: 55679, end: 55679, family: 6, administered: true },
    ]);
  });

  it('ignores rows that cannot be ranges and lines of other shapes', () => {
    const text = [
      'Ok.',
      '  70000  70001',
      '  500  400',
      '  0  10',
      '  10  20  x',
      '  1  2  *  *',
      '  7777  7777',
    ].join('\n');
    assert.deepEqual(rowsOf(parseExcludedPortRanges(text, 4)), [[7777, 7777, false]]);
  });
});

describe('parseExcludedPortRanges: one row at a time', () => {
  const cases: [string, string, Row[]][] = [
    ['the whole port space', '         1       65535', [[1, 65535, false]]],
    ['an administered row', '     55679       55679     *', [[55679, 55679, true]]],
    ['port 0', '         0          10', []],
    ['past 65535', '     65000       65536', []],
    ['start after end', '      5000        4000', []],
    ['words before the numbers (a header, a localized label)', 'Port 80 80', []],
    ['three numbers', '      5000        5010        7', []],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(rowsOf(parseExcludedPortRanges(text, 4)), expected));
  }
});
