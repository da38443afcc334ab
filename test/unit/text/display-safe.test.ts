import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasUnsafeDisplayCharacter, toDisplayText } from '../../../src/text/display-safe.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';
import { cpuTimeOf } from '../../support/cpu-time.ts';
import { caseName } from '../../support/case-name.ts';

/** Anything a terminal could act on, or that is not ASCII. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

describe('toDisplayText escapes controls (default: ASCII only)', () => {
  const cases: [string, string][] = [
    ['node.exe', 'node.exe'],
    [
      `C:\\Program Files\\node.exe --port 7777 "$(x)" 'y' %PATH% !x! &|<>^ \`id\``,
      `C:\\Program Files\\node.exe --port 7777 "$(x)" 'y' %PATH% !x! &|<>^ \`id\``,
    ],
    ['', ''],
    ['\x1b[31mred\x1b[0m', '\\x1B[31mred\\x1B[0m'],
    ['\x1b]0;title\x07', '\\x1B]0;title\\x07'],
    ['\x1b[2J\x1b[H', '\\x1B[2J\\x1B[H'],
    ['line1\nline2', 'line1\\x0Aline2'],
    ['real\rfake', 'real\\x0Dfake'],
    ['a\r\nb', 'a\\x0D\\x0Ab'],
    ['a\tb', 'a\\x09b'],
    ['bell\x07', 'bell\\x07'],
    ['\0', '\\x00'],
    ['\x08\x08\x08', '\\x08\\x08\\x08'],
    ['\x7f', '\\x7F'],
    ['next\u0085line', 'next\\x85line'],
    ['\u009b31mred', '\\x9B31mred'],
    ['\u009d0;title\u009c', '\\x9D0;title\\x9C'],
    ['a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
    ['exe.\u202etxt', 'exe.\\u{202E}txt'],
    ['\u202a\u202b\u202c\u202d\u202e', '\\u{202A}\\u{202B}\\u{202C}\\u{202D}\\u{202E}'],
    ['\u2066\u2067\u2068\u2069', '\\u{2066}\\u{2067}\\u{2068}\\u{2069}'],
    ['caf\u00e9', 'caf\\u{00E9}'],
    ['\u4e2d\u6587\u8fdb\u7a0b', '\\u{4E2D}\\u{6587}\\u{8FDB}\\u{7A0B}'],
    ['fire\u{1F525}', 'fire\\u{1F525}'],
    ['it\u2019s', 'it\\u{2019}s'],
    ['\u00a0', '\\u{00A0}'],
    ['\ud800', '\\u{D800}'],
    ['\udc00x', '\\u{DC00}x'],
    ['\ud83d', '\\u{D83D}'],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${expected}`, () => {
      assert.equal(toDisplayText(input), expected);
    });
  }

  for (const [name, input] of Object.entries(hostileInputs)) {
    test(`hostile ${name}: only printable ASCII comes out`, () => {
      assert.doesNotMatch(toDisplayText(input), NOT_PRINTABLE_ASCII);
    });
  }
});

describe('toDisplayText with asciiOnly: false keeps printable Unicode', () => {
  const cases: [string, string][] = [
    ['caf\u00e9', 'caf\u00e9'],
    ['\u4e2d\u6587', '\u4e2d\u6587'],
    ['fire\u{1F525}', 'fire\u{1F525}'],
    ['it\u2019s', 'it\u2019s'],
    ['\u00a0', '\u00a0'],
    ['\x1b[31mred', '\\x1B[31mred'],
    ['next\u0085line', 'next\\x85line'],
    ['exe.\u202etxt', 'exe.\\u{202E}txt'],
    ['\u2067x\u2069', '\\u{2067}x\\u{2069}'],
    ['a\u2028b', 'a\\u{2028}b'],
    ['zero\u200bwidth\u200e\u200f\ufeff', 'zero\\u{200B}width\\u{200E}\\u{200F}\\u{FEFF}'],
    ['tag\u{E0041}', 'tag\\u{E0041}'],
    ['\ud800', '\\u{D800}'],
    ['a\udc00', 'a\\u{DC00}'],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${caseName(expected)}`, () => {
      assert.equal(toDisplayText(input, { asciiOnly: false }), expected);
    });
  }
});

describe('toDisplayText truncates', () => {
  const cases: [string, number, boolean, string][] = [
    ['abcdef', 6, true, 'abcdef'],
    ['abcdef', 5, true, 'abcde... (1 more character)'],
    ['abcdef', 3, true, 'abc... (3 more characters)'],
    ['abcdef', 0, true, '... (6 more characters)'],
    // An escape is kept whole or not at all.
    ['ab\x1b', 5, true, 'ab... (1 more character)'],
    ['ab\x1b', 6, true, 'ab\\x1B'],
    ['a\u{1F525}', 9, true, 'a... (1 more character)'],
    ['a\u{1F525}', 10, true, 'a\\u{1F525}'],
    // A surrogate pair is one character: kept whole and counted once.
    ['a\u{1F525}b', 1, false, 'a... (2 more characters)'],
    ['a\u{1F525}b', 2, false, 'a\u{1F525}... (1 more character)'],
    ['\u{1F525}\u{1F525}\u{1F525}', 1, false, '\u{1F525}... (2 more characters)'],
    // Unpaired surrogates left out count one each.
    ['a\ud800\ud800\udc00', 1, false, 'a... (2 more characters)'],
  ];
  for (const [input, maxLength, asciiOnly, expected] of cases) {
    test(`${caseName(input)} max ${maxLength}${asciiOnly ? '' : ' unicode'} -> ${caseName(expected)}`, () => {
      assert.equal(toDisplayText(input, { maxLength, asciiOnly }), expected);
    });
  }

  test('default maxLength is 200', () => {
    const output = toDisplayText('x'.repeat(300));
    assert.equal(output, `${'x'.repeat(200)}... (100 more characters)`);
    assert.equal(toDisplayText('x'.repeat(200)), 'x'.repeat(200));
  });

  test('Infinity keeps everything', () => {
    assert.equal(toDisplayText('x'.repeat(5000), { maxLength: Infinity }), 'x'.repeat(5000));
  });

  for (const maxLength of [-1, 1.5, Number.NaN]) {
    test(`maxLength ${maxLength} is a RangeError`, () => {
      assert.throws(() => toDisplayText('x', { maxLength }), RangeError);
    });
  }
});

describe('toDisplayText on 100 kB command lines', () => {
  test('plain ASCII: 200 characters and the suffix', () => {
    const output = toDisplayText('x'.repeat(100_000));
    const suffix = '... (99800 more characters)';
    assert.equal(output.length, 200 + suffix.length);
    assert.ok(output.endsWith(suffix));
  });

  test('all ESC: whole escapes only', () => {
    const output = toDisplayText('\x1b'.repeat(100_000));
    assert.equal(output, `${'\\x1B'.repeat(50)}... (99950 more characters)`);
  });

  test('all emoji (surrogate pairs): whole escapes, characters counted as code points', () => {
    const output = toDisplayText('\u{1F525}'.repeat(50_000));
    assert.equal(output, `${'\\u{1F525}'.repeat(22)}... (49978 more characters)`);
  });

  test('mixed hostile text is linear: fast with and without a limit', () => {
    const unit = Object.values(hostileInputs).join('');
    const input = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
    const { result, cpuMs } = cpuTimeOf(() => ({
      limited: toDisplayText(input),
      full: toDisplayText(input, { maxLength: Infinity }),
      fullUnicode: toDisplayText(input, { maxLength: Infinity, asciiOnly: false }),
      unsafe: hasUnsafeDisplayCharacter(input),
    }));
    const { limited, full, fullUnicode, unsafe } = result;
    // CPU time, not wall time (see cpu-time.ts): about 30 ms here; a quadratic pass over
    // 100,000 characters costs seconds.
    assert.ok(cpuMs < 2000, `${cpuMs} ms of CPU`);
    assert.match(limited, /\.\.\. \(\d+ more characters\)$/);
    assert.doesNotMatch(full, NOT_PRINTABLE_ASCII);
    assert.doesNotMatch(fullUnicode, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    assert.equal(unsafe, true);
  });
});

describe('hasUnsafeDisplayCharacter', () => {
  const cases: [string, boolean][] = [
    ['node.exe --port 7777', false],
    ['caf\u00e9 \u4e2d\u6587 \u{1F525} it\u2019s', false],
    [`'"$()\`;%!&|<>^`, false],
    ['', false],
    ['\x1b[31m', true],
    ['a\nb', true],
    ['a\tb', true],
    ['\0', true],
    ['\x7f', true],
    ['\u0085', true],
    ['\u2028', true],
    ['\u202e', true],
    ['\u2066', true],
    ['\u200b', true],
    ['\ud800', true],
    ['x\udc00', true],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${expected}`, () => {
      assert.equal(hasUnsafeDisplayCharacter(input), expected);
    });
  }
});
