// Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page, so any non-ASCII
// byte in it changes meaning by machine. Every .ps1/.psm1/.psd1/.ps1xml must be pure ASCII, or
// UTF-8 with a BOM; and use one kind of line ending (.gitattributes keeps them as written).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  checkPowerShellEncoding,
  checkPowerShellEncodingTree,
  formatProblem,
  missingRequiredFiles,
} from '../support/powershell-checks.ts';
import {
  SAMPLE_FORMAT,
  SAMPLE_MANIFEST,
  SAMPLE_MODULE,
  SAMPLE_SCRIPT,
} from '../support/powershell-samples.ts';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'tapo-ps-encoding-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
const withBom = (text: string): Buffer => Buffer.concat([BOM, utf8(text)]);
const utf16le = (text: string, bom = true): Buffer =>
  Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string): Buffer =>
  Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
const messages = (bytes: Buffer): string[] =>
  checkPowerShellEncoding(bytes).map((p) => `${p.line}:${p.column}: ${p.message}`);

describe('checkPowerShellEncoding', () => {
  const accepted: [string, Buffer][] = [
    ['ASCII with LF', utf8(SAMPLE_MODULE)],
    ['ASCII with CRLF', utf8(SAMPLE_SCRIPT.replace(/\n/g, '\r\n'))],
    ['ASCII with tabs', utf8("function F {\n\t'x'\n}\n")],
    ['ASCII without a final newline', utf8("'x'")],
    ['an empty file', Buffer.alloc(0)],
    ['UTF-8 with a BOM and non-ASCII text', withBom("Write-Host '\u2713 ready \u00e9 \u{1f600}'\r\n")],
    ['UTF-8 with a BOM and only ASCII', withBom(SAMPLE_MANIFEST)],
    ['only a BOM', BOM],
  ];
  for (const [name, bytes] of accepted) {
    it(`accepts ${name}`, () => assert.deepEqual(messages(bytes), []));
  }

  it('rejects UTF-8 without a BOM that holds non-ASCII, at the first such byte', () => {
    const found = messages(utf8("$a = 1\n$b = '\u00e9'\n"));
    assert.equal(found.length, 1);
    assert.match(found[0] as string, /^2:7: non-ASCII byte 0xc3 in a file without a UTF-8 BOM/);
  });

  it('rejects text saved in a Windows code page (cp1252 "\u00e9" is byte 0xe9)', () => {
    assert.match(messages(Buffer.from([0x27, 0xe9, 0x27, 0x0a]))[0] as string, /^1:2: non-ASCII byte 0xe9/);
  });

  it('rejects UTF-16 LE and BE with a BOM', () => {
    assert.match(messages(utf16le("'x'\r\n"))[0] as string, /^1:1: UTF-16 file/);
    assert.match(messages(utf16be("'x'\r\n"))[0] as string, /^1:1: UTF-16 file/);
  });

  it('rejects UTF-16 without a BOM (NUL bytes)', () => {
    assert.match(messages(utf16le("'x'\n", false))[0] as string, /^1:2: NUL byte/);
  });

  it('rejects invalid UTF-8 after a BOM: a lone continuation byte, an overlong form, a truncated sequence', () => {
    assert.match(
      messages(Buffer.concat([BOM, utf8("'a"), Buffer.from([0x80]), utf8("'\n")]))[0] as string,
      /^1:3: invalid UTF-8/,
    );
    assert.match(
      messages(Buffer.concat([BOM, Buffer.from([0xc0, 0xaf, 0x0a])]))[0] as string,
      /^1:1: invalid UTF-8/,
    );
    assert.match(
      messages(Buffer.concat([BOM, utf8('x\n'), Buffer.from([0xe2, 0x9c])]))[0] as string,
      /^2:1: invalid UTF-8/,
    );
    assert.match(
      messages(Buffer.concat([BOM, Buffer.from([0xed, 0xa0, 0x80])]))[0] as string,
      /invalid UTF-8/,
    );
  });

  it('rejects mixed CRLF and LF, pointing at the first line of the rarer kind', () => {
    assert.deepEqual(messages(utf8('$a = 1\r\n$b = 2\r\n$c = 3\n$d = 4\r\n')), [
      '3:7: mixed line endings (3 CRLF, 1 LF): use one kind in the whole file; this line differs',
    ]);
  });

  it('rejects a bare carriage return and control characters', () => {
    assert.match(
      messages(utf8('$a = 1\r$b = 2\n'))[0] as string,
      /^1:7: carriage return without a line feed/,
    );
    assert.match(messages(utf8("'\x1b[31m'\n"))[0] as string, /^1:2: control character 0x1b/);
  });
});

describe('checkPowerShellEncodingTree on samples', () => {
  it('covers .ps1, .psm1, .psd1 and .ps1xml files and names the file of each problem', () => {
    const root = path.join(scratch, 'tree');
    const files: Record<string, Buffer> = {
      'powershell/TapoDashboard.psm1': utf8(SAMPLE_MODULE),
      'powershell/TapoDashboard.psd1': withBom(SAMPLE_MANIFEST),
      'powershell/TapoDashboard.Format.ps1xml': utf8(SAMPLE_FORMAT.replace('Pid', 'P\u00efd')),
      'scripts/start_dashboard.ps1': utf16le(SAMPLE_SCRIPT),
      'node_modules/x/bad.ps1': utf16le('x'),
      'notes.txt': utf16le('x'),
    };
    for (const [file, bytes] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), bytes);
    }
    const result = checkPowerShellEncodingTree(root);
    assert.deepEqual(result.files, [
      'powershell/TapoDashboard.Format.ps1xml',
      'powershell/TapoDashboard.psd1',
      'powershell/TapoDashboard.psm1',
      'scripts/start_dashboard.ps1',
    ]);
    assert.deepEqual(
      result.problems.map((p) => `${p.file}:${p.line}:${p.column}`),
      ['powershell/TapoDashboard.Format.ps1xml:8:50', 'scripts/start_dashboard.ps1:1:1'],
    );
  });
});

describe('PowerShell files in the repo', () => {
  const result = checkPowerShellEncodingTree(repoRoot);

  it('include the module, its manifest and the controller script', () => {
    assert.deepEqual(
      missingRequiredFiles(result.files),
      [],
      `missing PowerShell files (found: ${result.files.join(', ') || 'none'})`,
    );
  });

  it('are ASCII or UTF-8 with a BOM, with one kind of line ending each', () => {
    assert.ok(result.files.length > 0, 'no PowerShell file found');
    assert.deepEqual(result.problems.map(formatProblem), []);
  });
});
