import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/run-cli.ts';
import { assertMatchesSchema } from '../support/schema.ts';

const badInputs: { args: string[]; code: string; names: string }[] = [
  { args: ['--port', 'abc'], code: 'E_INVALID_PORT', names: '"abc"' },
  { args: ['--port='], code: 'E_INVALID_PORT', names: '(empty)' },
  { args: ['--port=-1'], code: 'E_INVALID_PORT', names: '"-1"' },
  { args: ['--port', '-1'], code: 'E_INVALID_PORT', names: '"-1"' },
  { args: ['--port', '0'], code: 'E_INVALID_PORT', names: '"0"' },
  { args: ['--port', '65536'], code: 'E_INVALID_PORT', names: '"65536"' },
  { args: ['--port', '7777.5'], code: 'E_INVALID_PORT', names: '"7777.5"' },
  { args: ['--port', '0x1E61'], code: 'E_INVALID_PORT', names: '"0x1E61"' },
  { args: ['--port', '1e3'], code: 'E_INVALID_PORT', names: '"1e3"' },
  { args: ['--port', '7777', '--port', '8080'], code: 'E_INVALID_PORT', names: '2 times' },
  { args: ['--port'], code: 'E_USAGE', names: 'port' },
  { args: ['--bogus'], code: 'E_USAGE', names: 'bogus' },
  { args: ['--host', '999.1.1.1'], code: 'E_INVALID_HOST', names: '"999.1.1.1"' },
  { args: ['--host', 'ex$(rm -rf ~)'], code: 'E_INVALID_HOST', names: '"ex$(rm -rf ~)"' },
  { args: ['--host', ''], code: 'E_INVALID_HOST', names: '(empty)' },
  // TEST-NET-2 (RFC 5737): never an address of this machine.
  { args: ['--host', '198.51.100.7'], code: 'E_HOST_NOT_LOCAL', names: '"198.51.100.7"' },
];

describe('bad input ends with one line and exit 2, never a stack trace', () => {
  for (const { args, code, names } of badInputs) {
    it(`check ${args.join(' ')} -> ${code}`, async () => {
      const text = await runCli(['check', ...args]);
      assert.equal(text.code, 2);
      assert.equal(text.stdout, '');
      const lines = text.stderr.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 1, `stderr must be one line, got:\n${text.stderr}`);
      assert.ok(lines[0]?.includes(names), `the message must name the bad value ${names}: ${lines[0]}`);
      assert.ok(lines[0]?.includes(`(${code})`));
      assert.doesNotMatch(text.stderr, /\n\s+at /);

      const json = await runCli(['check', ...args, '--json']);
      assert.equal(json.code, 2);
      const envelope = JSON.parse(json.stdout) as { ok: boolean; kind: string; error: { code: string } };
      assertMatchesSchema(envelope);
      assert.equal(envelope.ok, false);
      assert.equal(envelope.kind, 'Error');
      assert.equal(envelope.error.code, code);
    });
  }

  it('--json=true also gets the JSON error envelope', async () => {
    const result = await runCli(['check', '--json=true', '--port', 'abc']);
    assert.equal(result.code, 2);
    const envelope = JSON.parse(result.stdout) as { error: { code: string } };
    assertMatchesSchema(envelope);
    assert.equal(envelope.error.code, 'E_INVALID_PORT');
  });

  it('a bad value with non-ASCII or control characters is shown escaped on stderr', async () => {
    const result = await runCli(['check', '--port', '7\u001b[31m7\u20ac']);
    assert.equal(result.code, 2);
    assert.doesNotMatch(result.stderr, /[^\u0020-\u007e\n]/);
    assert.match(result.stderr, /"7\\u001b\[31m7\\u\{20AC\}"/);
  });

  it('an unknown command is a usage error', async () => {
    const result = await runCli(['chekc']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /E_USAGE/);
  });

  it('--help documents every exit code', async () => {
    const result = await runCli(['check', '--help']);
    assert.equal(result.code, 0);
    for (const code of [0, 1, 2, 3, 4, 5]) assert.match(result.stdout, new RegExp(`^  ${code}  \\S`, 'm'));
  });

  it('--version prints the package version', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    const result = await runCli(['--version']);
    assert.equal(result.stdout.trim(), version);
  });

  it('--version answers the same, byte for byte, on its fast path and through yargs', async () => {
    // `--version` alone never loads yargs (src/cli/entry.ts); with another word yargs answers.
    const fast = await runCli(['--version']);
    const throughYargs = await runCli(['--version', '--json']);
    assert.equal(fast.code, 0);
    assert.equal(throughYargs.code, 0);
    assert.equal(fast.stdout, throughYargs.stdout);
    assert.equal(fast.stderr, '');
  });
});
