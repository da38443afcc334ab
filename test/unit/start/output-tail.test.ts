import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OutputTail, type OutputTailOptions } from '../../../src/start/output-tail.ts';
import { cpuTimeOf } from '../../support/cpu-time.ts';

function tailOf(chunks: string[], options?: OutputTailOptions): string[] {
  const tail = new OutputTail(options);
  for (const chunk of chunks) tail.push(chunk);
  return tail.lines();
}

describe('OutputTail line splitting', () => {
  const cases: [string, string[], string[]][] = [
    ['nothing', [], []],
    ['empty chunks', ['', '', ''], []],
    ['one line', ['hello\n'], ['hello']],
    ['a trailing partial line is included', ['hello\nwor'], ['hello', 'wor']],
    ['partial lines joined across chunks', ['he', 'll', 'o\nwo', 'rld\n'], ['hello', 'world']],
    ['CRLF', ['a\r\nb\r\n'], ['a', 'b']],
    ['CRLF split between chunks', ['a\r', '\nb\r', '\n'], ['a', 'b']],
    ['CR then empty chunk then LF', ['a\r', '', '\nb'], ['a', 'b']],
    ['empty lines are lines', ['a\n\n\nb\n'], ['a', '', '', 'b']],
    ['lone CR returns to the start of the line (progress bar)', ['10%\r50%\r100%\ndone\n'], ['100%', 'done']],
    ['lone CR across chunks', ['10%\r', '50%\r', '100%\n'], ['100%']],
    ['a line ending in CR is shown until overwritten', ['Downloading 90%\r'], ['Downloading 90%']],
    ['CR CR LF: nothing overwrote the line', ['a\r\r\nb\n'], ['a', 'b']],
    ['CR then LF in the next-but-one chunk', ['a\r', 'b', '\n'], ['b']],
    ['LF CR LF', ['a\n\r\nb'], ['a', '', 'b']],
    ['every character its own chunk', [...'x\r\ny\nz'], ['x', 'y', 'z']],
  ];
  for (const [name, chunks, expected] of cases) {
    test(name, () => {
      assert.deepEqual(tailOf(chunks), expected);
    });
  }
});

describe('OutputTail keeps the last lines', () => {
  test('default: the last 20', () => {
    const input = Array.from({ length: 50 }, (_, index) => `line ${index}\n`).join('');
    assert.deepEqual(
      tailOf([input]),
      Array.from({ length: 20 }, (_, index) => `line ${index + 30}`),
    );
  });

  test('the partial line counts among the kept lines', () => {
    assert.deepEqual(tailOf(['1\n2\n3\n4'], { maxLines: 3 }), ['2', '3', '4']);
    assert.deepEqual(tailOf(['1\n2\n3\n'], { maxLines: 3 }), ['1', '2', '3']);
  });

  test('lines() can be asked any time and does not change the tail', () => {
    const tail = new OutputTail({ maxLines: 2 });
    tail.push('a\nb');
    assert.deepEqual(tail.lines(), ['a', 'b']);
    const copy = tail.lines();
    copy.push('mutated');
    tail.push('c\nd\n');
    assert.deepEqual(tail.lines(), ['bc', 'd']);
  });

  test('one line of output only', () => {
    assert.deepEqual(tailOf(['x'.repeat(10)], { maxLines: 1 }), ['x'.repeat(10)]);
  });
});

describe('OutputTail caps each line', () => {
  test('a line of exactly 500 characters is kept whole', () => {
    const line = 'a'.repeat(500);
    assert.deepEqual(tailOf([`${line}\n`]), [line]);
  });

  test('a longer line keeps its beginning and ends in ..., 500 in all', () => {
    const line = `OSError: [Errno 98] Address already in use ${'x'.repeat(1000)}`;
    const [kept] = tailOf([`${line}\nnext\n`]);
    assert.equal(kept?.length, 500);
    assert.equal(kept, `${line.slice(0, 497)}...`);
    assert.deepEqual(tailOf([`${line}\nnext\n`]).slice(1), ['next']);
  });

  test('a long line built from many chunks is capped the same way', () => {
    const tail = new OutputTail({ maxLineLength: 10 });
    for (let i = 0; i < 100; i += 1) tail.push('0123456789');
    assert.deepEqual(tail.lines(), ['0123456...']);
    tail.push('\nshort\n');
    assert.deepEqual(tail.lines(), ['0123456...', 'short']);
  });

  test('a lone CR after a capped line starts a fresh one', () => {
    assert.deepEqual(tailOf(['x'.repeat(20), '\rok\n'], { maxLineLength: 10 }), ['ok']);
  });

  test('the cut does not leave half of a surrogate pair', () => {
    // 6 x then an emoji (2 UTF-16 units) at positions 6-7: a cut at 7 would split it.
    const [kept] = tailOf([`xxxxxx\u{1F525}yyyyyyyy\n`], { maxLineLength: 10 });
    assert.equal(kept, 'xxxxxx...');
  });

  test('100 MB without a newline: bounded, fast, the beginning kept', () => {
    const megabyte = 'A'.repeat(1024 * 1024);
    const tail = new OutputTail();
    tail.push('before\n');
    const { cpuMs } = cpuTimeOf(() => {
      for (let i = 0; i < 100; i += 1) tail.push(megabyte);
    });
    // CPU time, not wall time (see cpu-time.ts): under 100 ms here; keeping or rescanning
    // everything pushed costs seconds.
    assert.ok(cpuMs < 5_000, `pushing 100 MB took ${cpuMs} ms of CPU`);
    const lines = tail.lines();
    assert.deepEqual(lines, ['before', `${'A'.repeat(497)}...`]);
    tail.push('\r\nafter');
    assert.deepEqual(tail.lines(), ['before', `${'A'.repeat(497)}...`, 'after']);
  });

  test('a single 100 MB chunk without a newline', () => {
    const huge = 'B'.repeat(100 * 1024 * 1024);
    const tail = new OutputTail();
    tail.push(huge);
    assert.deepEqual(tail.lines(), [`${'B'.repeat(497)}...`]);
  });

  test('lines are kept as given (no escaping: that is for the renderer)', () => {
    assert.deepEqual(tailOf(['\x1b[31mred\x1b[0m\ttab\n']), ['\x1b[31mred\x1b[0m\ttab']);
  });
});

describe('OutputTail options', () => {
  const invalid: OutputTailOptions[] = [
    { maxLines: 0 },
    { maxLines: -1 },
    { maxLines: 1.5 },
    { maxLines: Number.NaN },
    { maxLineLength: 3 },
    { maxLineLength: Number.POSITIVE_INFINITY },
  ];
  for (const options of invalid) {
    test(`rejects ${JSON.stringify(options)}`, () => {
      assert.throws(() => new OutputTail(options), RangeError);
    });
  }

  test('the smallest line length keeps one character and the mark', () => {
    assert.deepEqual(tailOf(['abcdef\n'], { maxLineLength: 4 }), ['a...']);
    assert.deepEqual(tailOf(['abcd\n'], { maxLineLength: 4 }), ['abcd']);
  });
});
