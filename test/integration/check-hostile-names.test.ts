// A real process whose name, path and command line are hostile: control characters, ANSI
// escapes, quotes, $(), backticks, newlines, non-ASCII and a 100 kB argument.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, startHolder, type Holder } from '../support/holders.ts';
import { parseEnvelope, runCli } from '../support/run-cli.ts';
import { assertMatchesSchema } from '../support/schema.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tapo-hostile-'));
// A file name may hold anything but '/' and NUL: the kernel takes the process name from it.
const hostileName = 'e\u001b[31mv\'"$(x)`\n\u00e9';
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).trim();
const hostileDir = path.join(dir, 'd\u001b]0;pwned\u0007 $(rm -rf ~) \u4e2d');
let holder: Holder | null = null;

after(async () => {
  await holder?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile process names, paths and command lines', () => {
  it('never break the text output, the JSON or the suggested commands', async () => {
    execFileSync('mkdir', ['-p', hostileDir]);
    const link = path.join(hostileDir, hostileName);
    symlinkSync(python, link);
    const port = await freePort();
    const tag = `\u001b[2J\r\nFAKE LINE $(reboot) \`id\` 'q' "dq" \u202e\u00fc\u{1f525} ${'x'.repeat(100_000)}`;
    holder = await startHolder({ host: '0.0.0.0', port, python: link, tag });

    const text = await runCli(['check', '--port', String(port)]);
    assert.equal(text.code, 1);
    assert.doesNotMatch(
      text.stdout,
      /[\u0000-\u0009\u000b-\u001f\u007f-\uffff]/,
      'text output must be plain ASCII',
    );
    assert.ok(
      !text.stdout.split('\n').some((line) => line.startsWith('FAKE LINE')),
      'a newline in a name must not fake a line',
    );
    assert.ok(
      text.stdout.length < 20_000,
      `a 100 kB command line must be shortened, got ${text.stdout.length}`,
    );
    assert.match(text.stdout, new RegExp(`\\n       kill ${holder.pid}\\n`));

    const json = await runCli(['check', '--port', String(port), '--json']);
    assert.doesNotMatch(json.stdout, /[^\u0020-\u007e\n]/, 'JSON output must be pure ASCII');
    const envelope = parseEnvelope(json.stdout);
    assertMatchesSchema(envelope);
    const owner = envelope.data?.owners[0];
    assert.equal(owner?.pid, holder.pid);
    // The JSON carries the facts intact; only their display is escaped.
    assert.equal(owner?.process?.name, Buffer.from(hostileName).subarray(0, 15).toString('utf8'));
    assert.ok(owner?.process?.commandLine?.includes(tag), 'the full command line is kept in JSON');
    assert.ok(owner?.process?.path?.startsWith(path.dirname(python)) || owner?.process?.path === python);
    assert.doesNotMatch(owner?.description ?? '', /[\u0000-\u001f]/);
  });
});
