import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { commandFor, type ShellCommands } from '../../../src/text/fix-command.ts';
import { hostileInputs, printableHostileInputs } from '../../support/hostile-inputs.ts';
import { caseName } from '../../support/case-name.ts';

const sandbox = mkdtempSync(path.join(tmpdir(), 'tapo-fix-command-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));

describe('commandFor', () => {
  const cases: [string[], ShellCommands][] = [
    [
      ['taskkill', '/PID', '4242', '/F'],
      { powershell: 'taskkill /PID 4242 /F', cmd: 'taskkill /PID 4242 /F', posix: 'taskkill /PID 4242 /F' },
    ],
    [
      ['python', '-m', 'tapo_camera_mcp.web', '--host', '0.0.0.0', '--port', '7778'],
      {
        powershell: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7778',
        cmd: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7778',
        posix: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7778',
      },
    ],
    [
      ['docker', 'stop', 'my app'],
      { powershell: "docker stop 'my app'", cmd: 'docker stop "my app"', posix: "docker stop 'my app'" },
    ],
    [
      ['docker', 'ps', '--filter', 'publish=7777'],
      {
        powershell: 'docker ps --filter publish=7777',
        cmd: 'docker ps --filter "publish=7777"',
        posix: 'docker ps --filter publish=7777',
      },
    ],
    [
      ['wsl', '-e', 'ss', '-ltnp', 'sport = :7777'],
      {
        powershell: "wsl -e ss -ltnp 'sport = :7777'",
        cmd: 'wsl -e ss -ltnp "sport = :7777"',
        posix: "wsl -e ss -ltnp 'sport = :7777'",
      },
    ],
    [
      ['C:\\Program Files\\Docker\\docker.exe', 'ps'],
      {
        powershell: "& 'C:\\Program Files\\Docker\\docker.exe' ps",
        cmd: '"C:\\Program Files\\Docker\\docker.exe" ps',
        posix: "'C:\\Program Files\\Docker\\docker.exe' ps",
      },
    ],
    [['echo', '%PATH%'], { powershell: "echo '%PATH%'", cmd: null, posix: 'echo %PATH%' }],
    [['echo', '!x!'], { powershell: "echo '!x!'", cmd: null, posix: "echo '!x!'" }],
    [
      ['echo', ';rm -rf /', '$(echo INJECTED)', '`id`', '&|<>^'],
      {
        powershell: "echo ';rm -rf /' '$(echo INJECTED)' '`id`' '&|<>^'",
        cmd: 'echo ";rm -rf /" "$(echo INJECTED)" "`id`" "&|<>^"',
        posix: "echo ';rm -rf /' '$(echo INJECTED)' '`id`' '&|<>^'",
      },
    ],
    [
      ['echo', "it's", 'it\u2019s'],
      {
        powershell: "echo 'it''s' 'it\u2019\u2019s'",
        cmd: `echo "it's" "it\u2019s"`,
        posix: "echo 'it'\\''s' 'it\u2019s'",
      },
    ],
    [
      ['echo', 'caf\u00e9', '\u4e2d\u6587', '\u{1F525}'],
      {
        powershell: "echo 'caf\u00e9' '\u4e2d\u6587' '\u{1F525}'",
        cmd: 'echo "caf\u00e9" "\u4e2d\u6587" "\u{1F525}"',
        posix: "echo 'caf\u00e9' '\u4e2d\u6587' '\u{1F525}'",
      },
    ],
    // Windows PowerShell 5.1 would drop the empty argument or mangle the quote / trailing backslash.
    [['x', ''], { powershell: null, cmd: 'x ""', posix: "x ''" }],
    [['x', 'say "hi"'], { powershell: null, cmd: null, posix: `x 'say "hi"'` }],
    [['x', 'C:\\a b\\'], { powershell: null, cmd: 'x "C:\\a b\\\\"', posix: "x 'C:\\a b\\'" }],
    [['x', 'C:\\dir\\'], { powershell: 'x C:\\dir\\', cmd: 'x C:\\dir\\', posix: "x 'C:\\dir\\'" }],
    // First word: assignment-looking and keyword-looking names still run a program.
    [['FOO=bar', 'x'], { powershell: 'FOO=bar x', cmd: '"FOO=bar" x', posix: "'FOO=bar' x" }],
    [['foreach', 'x'], { powershell: "& 'foreach' x", cmd: 'foreach x', posix: 'foreach x' }],
    [['function', 'x'], { powershell: "& 'function' x", cmd: 'function x', posix: "'function' x" }],
    // Anything that would act on the terminal or break the paste: no command in any shell.
    [['docker', 'stop', '\x1b[31mred\x1b[0m'], { powershell: null, cmd: null, posix: null }],
    [['docker', 'stop', '\x1b]0;title\x07'], { powershell: null, cmd: null, posix: null }],
    [['x', 'line1\nline2'], { powershell: null, cmd: null, posix: null }],
    [['x', 'real\rfake'], { powershell: null, cmd: null, posix: null }],
    [['x', 'a\tb'], { powershell: null, cmd: null, posix: null }],
    [['x', 'a\0b'], { powershell: null, cmd: null, posix: null }],
    [['x', 'exe.\u202etxt'], { powershell: null, cmd: null, posix: null }],
    [['x', 'a\u2028b'], { powershell: null, cmd: null, posix: null }],
    [['x', '\ud800'], { powershell: null, cmd: null, posix: null }],
    [['evil\x1b[2J', 'x'], { powershell: null, cmd: null, posix: null }],
  ];
  for (const [argv, expected] of cases) {
    test(caseName(argv), () => assert.deepEqual(commandFor(argv), expected));
  }

  test('an empty argv or program name is a RangeError', () => {
    assert.throws(() => commandFor([]), RangeError);
    assert.throws(() => commandFor(['', 'x']), RangeError);
  });

  test('hostile inputs never leave a raw control character in any variant', () => {
    for (const value of Object.values(hostileInputs)) {
      const commands = commandFor(['x', value]);
      for (const variant of [commands.powershell, commands.cmd, commands.posix]) {
        if (variant !== null)
          assert.doesNotMatch(variant, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
      }
    }
  });
});

describe('commandFor posix variant run by /bin/sh', () => {
  test('printable hostile arguments arrive unchanged, one argument each', () => {
    const values = Object.values(printableHostileInputs);
    const posix = commandFor(['printf', '[%s]', ...values]).posix;
    assert.notEqual(posix, null);
    const output = execFileSync('/bin/sh', ['-c', posix ?? ''], { cwd: sandbox, env: { PATH: sandbox } });
    assert.equal(output.toString('utf8'), values.map((value) => `[${value}]`).join(''));
  });
});
