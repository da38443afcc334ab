// Colour only on a terminal, and never with NO_COLOR: a real pseudo-terminal from script(1).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { freePort } from '../support/holders.ts';
import { coreCommand } from '../support/core-command.ts';
import { runCli } from '../support/run-cli.ts';

function runOnTerminal(args: string[], env: Record<string, string | undefined>): string {
  const command = [...coreCommand(), ...args].map((a) => `'${a}'`).join(' ');
  return execFileSync('script', ['-qec', command, '/dev/null'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('colour', () => {
  it('is used on a terminal', async () => {
    const port = String(await freePort());
    const output = runOnTerminal(['check', '--port', port], { NO_COLOR: undefined });
    assert.match(output, /\u001b\[32m\[OK\]\u001b\[0m/);
  });

  it('is never used with NO_COLOR, even on a terminal', async () => {
    const port = String(await freePort());
    const output = runOnTerminal(['check', '--port', port], { NO_COLOR: '1' });
    assert.match(output, /^\[OK\] Port/);
    assert.doesNotMatch(output, /\u001b/);
  });

  it('is never used when the output is a pipe', async () => {
    const result = await runCli(['check', '--port', String(await freePort())], {
      env: { NO_COLOR: undefined },
    });
    assert.match(result.stdout, /^\[OK\] Port/);
    assert.doesNotMatch(result.stdout, /\u001b/);
  });
});
