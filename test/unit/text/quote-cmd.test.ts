import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quoteCmdArg, quoteCmdCommandName } from '../../../src/text/quote-cmd.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';
import { caseName } from '../../support/case-name.ts';
import { cpuTimeOf } from '../../support/cpu-time.ts';

// No cmd.exe here. Expected strings follow the documented rules; the round trip below uses two
// small models: cmd's quote state (metacharacters are syntax only outside "...") and the
// Microsoft C runtime / CommandLineToArgvW argument splitting.

/** Characters cmd.exe may see outside double quotes in a line built from quoteCmdArg. */
const SAFE_OUTSIDE_QUOTES = /^[A-Za-z0-9_+:.\\/ -]$/;

/** Fails when cmd.exe would act on any character of the line. */
function assertInertToCmd(line: string): void {
  assert.doesNotMatch(line, /[%!\r\n\0]/);
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (!quoted) assert.match(char, SAFE_OUTSIDE_QUOTES, `cmd.exe would act on ${JSON.stringify(char)}`);
  }
  assert.equal(quoted, false, 'unbalanced quotes');
}

/** argv[1..] of a command line, by the Microsoft C runtime rules (2008 and later). */
function splitWindowsArguments(line: string): string[] {
  const args: string[] = [];
  let index = 0;
  const isBlank = (char: string | undefined): boolean => char === ' ' || char === '\t';
  while (index < line.length) {
    while (isBlank(line[index])) index += 1;
    if (index >= line.length) break;
    let arg = '';
    let quoted = false;
    while (index < line.length && (quoted || !isBlank(line[index]))) {
      let backslashes = 0;
      while (line[index] === '\\') {
        backslashes += 1;
        index += 1;
      }
      if (line[index] === '"') {
        arg += '\\'.repeat(Math.floor(backslashes / 2));
        if (backslashes % 2 === 1) {
          arg += '"';
        } else if (quoted && line[index + 1] === '"') {
          arg += '"';
          index += 1;
        } else {
          quoted = !quoted;
        }
        index += 1;
      } else {
        arg += '\\'.repeat(backslashes);
        if (index < line.length && (quoted || !isBlank(line[index]))) {
          arg += line[index] ?? '';
          index += 1;
        }
      }
    }
    args.push(arg);
  }
  return args;
}

describe('the argument-splitting model itself', () => {
  const cases: [string, string[]][] = [
    ['a b', ['a', 'b']],
    ['"a b" c', ['a b', 'c']],
    ['a\\\\b', ['a\\\\b']],
    ['"a\\\\" b', ['a\\', 'b']],
    ['a\\"b', ['a"b']],
    ['""', ['']],
    ['"a""b"', ['a"b']],
  ];
  for (const [line, expected] of cases) {
    test(line, () => assert.deepEqual(splitWindowsArguments(line), expected));
  }
});

describe('quoteCmdArg', () => {
  const cases: [string, string][] = [
    ['taskkill', 'taskkill'],
    ['/PID', '/PID'],
    ['/F', '/F'],
    ['4242', '4242'],
    ['-m', '-m'],
    ['0.0.0.0', '0.0.0.0'],
    ['a+b', 'a+b'],
    ['C:\\Windows\\System32\\taskkill.exe', 'C:\\Windows\\System32\\taskkill.exe'],
    // Unquoted, backslashes are literal even at the end: no quote follows them.
    ['C:\\dir\\', 'C:\\dir\\'],
    ['', '""'],
    ['a b', '"a b"'],
    ['&|<>^', '"&|<>^"'],
    ['(x)', '"(x)"'],
    ['a=b', '"a=b"'],
    ['a,b', '"a,b"'],
    ['a;b', '"a;b"'],
    ['@x', '"@x"'],
    [';rm -rf /', '";rm -rf /"'],
    ['a & del /q *', '"a & del /q *"'],
    ["it's", `"it's"`],
    ['$(x)', '"$(x)"'],
    ['`id`', '"`id`"'],
    ['caf\u00e9', '"caf\u00e9"'],
    ['\u4e2d\u6587', '"\u4e2d\u6587"'],
    ['fire\u{1F525}', '"fire\u{1F525}"'],
    ['it\u2019s', '"it\u2019s"'],
    ['\u201chi\u201d', '"\u201chi\u201d"'],
    ['a\tb', '"a\tb"'],
    // Trailing backslashes are doubled so the closing quote stays a quote; inner ones are not.
    ['C:\\a b\\', '"C:\\a b\\\\"'],
    ['C:\\a b\\\\', '"C:\\a b\\\\\\\\"'],
    ['a\\b c', '"a\\b c"'],
    ['\\', '\\'],
    ['\\ ', '"\\ "'],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${caseName(expected)}`, () => {
      assert.equal(quoteCmdArg(input), expected);
    });
  }

  const unrepresentable = ['%PATH%', '100%', '%', '!x!', '!', 'say "hi"', '"', 'a\nb', 'a\rb', 'a\0b'];
  for (const input of unrepresentable) {
    test(`${caseName(input)} -> null`, () => assert.equal(quoteCmdArg(input), null));
  }

  test('100 kB of backslashes is quoted in linear time', () => {
    const input = `${'\\'.repeat(50_000)}x ${'\\'.repeat(50_000)}`;
    // CPU time, not the clock: a loaded machine cannot inflate it.
    const { result: quoted, cpuMs } = cpuTimeOf(() => quoteCmdArg(input));
    assert.ok(cpuMs < 1000, `${cpuMs} ms of CPU`);
    assert.equal(quoted?.length, input.length + 50_000 + 2);
  });
});

describe('quoteCmdArg round trip through the cmd.exe and argv models', () => {
  for (const [name, input] of Object.entries(hostileInputs)) {
    const quoted = quoteCmdArg(input);
    test(`${name}${quoted === null ? ' (not representable)' : ''}`, () => {
      if (quoted === null) {
        assert.match(input, /[%!"\r\n]/);
        return;
      }
      assertInertToCmd(quoted);
      assert.deepEqual(splitWindowsArguments(quoted), [input]);
    });
  }

  test('all representable hostile inputs on one line stay separate arguments', () => {
    const values = Object.values(hostileInputs).filter((value) => quoteCmdArg(value) !== null);
    const line = values.map((value) => quoteCmdArg(value)).join(' ');
    assertInertToCmd(line);
    assert.deepEqual(splitWindowsArguments(line), values);
  });
});

describe('quoteCmdCommandName', () => {
  const cases: [string, string | null][] = [
    ['taskkill', 'taskkill'],
    ['netstat.exe', 'netstat.exe'],
    ['C:\\Windows\\System32\\taskkill.exe', 'C:\\Windows\\System32\\taskkill.exe'],
    ['C:\\Program Files\\Docker\\docker.exe', '"C:\\Program Files\\Docker\\docker.exe"'],
    ['C:/tools/x.exe', '"C:/tools/x.exe"'],
    [':label', '":label"'],
    ['@echo', '"@echo"'],
    ['FOO=bar', '"FOO=bar"'],
    // argv[0] is taken up to the next quote, backslashes included: no doubling.
    ['C:\\a b\\', '"C:\\a b\\"'],
    ['', null],
    ['%COMSPEC%', null],
    ['a"b', null],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${caseName(expected)}`, () => {
      assert.equal(quoteCmdCommandName(input), expected);
    });
  }
});
