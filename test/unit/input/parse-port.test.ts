import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TapoError } from '../../../src/contract/error-catalogue.ts';
import { parsePort } from '../../../src/input/parse-port.ts';

describe('parsePort accepts plain decimal ports', () => {
  const rows: [unknown, number][] = [
    ['7777', 7777],
    ['1', 1],
    ['80', 80],
    ['65535', 65535],
    ['08080', 8080],
    [7777, 7777],
    [1, 1],
    [65535, 65535],
  ];
  for (const [raw, expected] of rows) {
    it(`${JSON.stringify(raw)} -> ${expected}`, () => assert.equal(parsePort(raw), expected));
  }
});

describe('parsePort refuses anything else with E_INVALID_PORT, exit 2 and a message naming the value', () => {
  const notANumber = (shown: string): string => `invalid --port ${shown}: not a whole number from 1 to 65535`;
  const outOfRange = (shown: string): string => `invalid --port ${shown}: out of range 1-65535`;
  const rows: [unknown, string][] = [
    ['abc', notANumber('"abc"')],
    ['', notANumber('(empty)')],
    [undefined, notANumber('(empty)')],
    [null, notANumber('(empty)')],
    [true, notANumber('(empty)')],
    ['-1', notANumber('"-1"')],
    ['+80', notANumber('"+80"')],
    ['7777.5', notANumber('"7777.5"')],
    ['7777.0', notANumber('"7777.0"')],
    ['0x1E61', notANumber('"0x1E61"')],
    ['1e3', notANumber('"1e3"')],
    [' 77 ', notANumber('" 77 "')],
    ['77\n', notANumber('"77\\n"')],
    ['7 7', notANumber('"7 7"')],
    ['\u0667\u0667\u0667\u0667', notANumber('"\u0667\u0667\u0667\u0667"')],
    ['\uff17\uff17\uff17\uff17', notANumber('"\uff17\uff17\uff17\uff17"')],
    ['123456', notANumber('"123456"')],
    [7777.5, notANumber('"7777.5"')],
    [-1, notANumber('"-1"')],
    [Number.NaN, notANumber('"NaN"')],
    [Infinity, notANumber('"Infinity"')],
    [1e21, notANumber('"1e+21"')],
    ['0', outOfRange('"0"')],
    ['00000', outOfRange('"00000"')],
    [0, outOfRange('"0"')],
    ['65536', outOfRange('"65536"')],
    ['99999', outOfRange('"99999"')],
    [65536, outOfRange('"65536"')],
    [['7777', '8080'], '--port was given 2 times; give it once'],
  ];
  for (const [raw, message] of rows) {
    it(`${typeof raw === 'number' ? String(raw) : JSON.stringify(raw)} -> ${message}`, () => {
      assert.throws(
        () => parsePort(raw),
        (error: unknown) => {
          assert.ok(error instanceof TapoError);
          assert.equal(error.code, 'E_INVALID_PORT');
          assert.equal(error.exitCode, 2);
          assert.equal(error.message, message);
          assert.equal(error.hint, 'Give a whole number from 1 to 65535, for example --port 7777.');
          return true;
        },
      );
    });
  }

  it('names the option it parses', () => {
    assert.throws(() => parsePort('x', '--start'), {
      code: 'E_INVALID_PORT',
      message: 'invalid --start "x": not a whole number from 1 to 65535',
    });
  });
});
