import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  errorEnvelope,
  SCHEMA_VERSION,
  successEnvelope,
  toAsciiJson,
} from '../../../src/contract/envelope.ts';
import { VERSION } from '../../../src/contract/version.ts';

/** Printable ASCII and the newline of the pretty-printing: what PowerShell 5.1 reads unchanged. */
const PURE_ASCII = /^[\x20-\x7e\n]*$/;

function assertAsciiRoundTrip(value: unknown): string {
  const json = toAsciiJson(value);
  assert.match(json, PURE_ASCII);
  assert.deepEqual(JSON.parse(json), value);
  return json;
}

describe('toAsciiJson', () => {
  const rows: [string, string, string][] = [
    ['plain ASCII stays as it is', 'python3 -m tapo_camera_mcp.web', '"python3 -m tapo_camera_mcp.web"'],
    ['quotes and backslashes use JSON escapes', 'C:\\a "b"', '"C:\\\\a \\"b\\""'],
    ['Latin-1', 'caf\u00e9', '"caf\\u00e9"'],
    ['CJK', '\u4e2d\u6587', '"\\u4e2d\\u6587"'],
    ['an emoji as its surrogate pair', 'fire\u{1F525}', '"fire\\ud83d\\udd25"'],
    ['two astral characters', '\u{1F600}\u{10FFFF}', '"\\ud83d\\ude00\\udbff\\udfff"'],
    ['an unpaired high surrogate', 'a\ud800b', '"a\\ud800b"'],
    ['an unpaired low surrogate', 'a\udfffb', '"a\\udfffb"'],
    ['ESC (ANSI colour)', '\x1b[31mred\x1b[0m', '"\\u001b[31mred\\u001b[0m"'],
    ['OSC title with BEL', '\x1b]0;t\x07', '"\\u001b]0;t\\u0007"'],
    ['newline, CR, tab', 'a\nb\rc\td', '"a\\nb\\rc\\td"'],
    ['NUL', 'a\0b', '"a\\u0000b"'],
    ['DEL', 'a\x7fb', '"a\\u007fb"'],
    ['C1 controls NEL and CSI', '\u0085\u009b', '"\\u0085\\u009b"'],
    ['line and paragraph separators', '\u2028\u2029', '"\\u2028\\u2029"'],
    ['bidi override and BOM', '\u202e\ufeff', '"\\u202e\\ufeff"'],
    ['non-breaking space', '\u00a0', '"\\u00a0"'],
    ['U+FFFF', '\uffff', '"\\uffff"'],
  ];
  for (const [name, input, expected] of rows) {
    it(`${name}: ${expected}`, () => {
      assert.equal(assertAsciiRoundTrip(input), expected);
    });
  }

  it('escapes every UTF-16 code unit outside printable ASCII, and JSON.parse gives the string back', () => {
    let all = '';
    for (let unit = 0; unit <= 0xffff; unit += 1) all += String.fromCharCode(unit);
    const json = assertAsciiRoundTrip({ all });
    assert.equal(JSON.parse(json).all.length, 0x10000);
  });

  it('round-trips every astral plane through surrogate pairs', () => {
    const sample = [0x10000, 0x1f525, 0x1f600, 0x2a6d6, 0xe0041, 0xfffff, 0x10ffff]
      .map((cp) => String.fromCodePoint(cp))
      .join('');
    assertAsciiRoundTrip(sample);
  });

  it('keeps numbers, booleans, null and arrays as they are, indented by two spaces', () => {
    assert.equal(
      toAsciiJson({
        port: 7777,
        ok: true,
        data: null,
        owners: [],
        addresses: ['0.0.0.0', '::'],
        name: 'caf\u00e9',
      }),
      [
        '{',
        '  "port": 7777,',
        '  "ok": true,',
        '  "data": null,',
        '  "owners": [],',
        '  "addresses": [',
        '    "0.0.0.0",',
        '    "::"',
        '  ],',
        '  "name": "caf\\u00e9"',
        '}',
      ].join('\n'),
    );
  });

  it('escapes object keys too', () => {
    assert.equal(assertAsciiRoundTrip({ 'k\u00e9y\n': 1 }), '{\n  "k\\u00e9y\\n": 1\n}');
  });

  it('round-trips a 100 kB hostile command line', () => {
    const commandLine = `python -c "${'\x1b[2J\u202e\u{1F525}\u00e9$(id)`x`\r\n'.repeat(6000)}"`;
    assert.ok(commandLine.length > 100_000);
    assertAsciiRoundTrip({ commandLine });
  });
});

describe('envelopes', () => {
  it('successEnvelope carries every declared key, in a fixed order', () => {
    const envelope = successEnvelope('PortCheck', { port: 7777 }, [{ code: 'W_DOCKER', message: 'slow' }]);
    assert.deepEqual(Object.keys(envelope), [
      'schemaVersion',
      'kind',
      'tool',
      'ok',
      'data',
      'error',
      'warnings',
    ]);
    assert.deepEqual(envelope, {
      schemaVersion: '1.2',
      kind: 'PortCheck',
      tool: { name: 'tapo-port', version: VERSION },
      ok: true,
      data: { port: 7777 },
      error: null,
      warnings: [{ code: 'W_DOCKER', message: 'slow' }],
    });
  });

  it('errorEnvelope: ok false, data null, no warnings', () => {
    const error = { code: 'E_INVALID_PORT', message: 'invalid --port "abc"', hint: 'Give a number.' };
    const envelope = errorEnvelope('Error', error);
    assert.deepEqual(Object.keys(envelope), [
      'schemaVersion',
      'kind',
      'tool',
      'ok',
      'data',
      'error',
      'warnings',
    ]);
    assert.deepEqual(envelope, {
      schemaVersion: SCHEMA_VERSION,
      kind: 'Error',
      tool: { name: 'tapo-port', version: VERSION },
      ok: false,
      data: null,
      error,
      warnings: [],
    });
  });

  it('the schema version is 1.x (major 1: readers refuse another major)', () => {
    assert.match(SCHEMA_VERSION, /^1\.\d+$/);
  });
});
