import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { NulInArgumentError, quotePosixArg, quotePosixCommandName } from '../../../src/text/quote-posix.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';
import { caseName } from '../../support/case-name.ts';
import { cpuTimeOf } from '../../support/cpu-time.ts';

// The shells run in an empty directory with PATH pointing at an empty directory: printf is a
// builtin in dash and bash, so the round trip works, while anything a broken quote let loose
// (`rm`, `touch`) would not be found.
const sandbox = mkdtempSync(path.join(tmpdir(), 'tapo-quote-posix-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));
const shellEnv = { PATH: sandbox, LC_ALL: 'C.UTF-8' };

function runShell(shell: string, script: string, input?: string): string {
  const options = { cwd: sandbox, env: shellEnv, input, stdio: 'pipe' as const };
  const args = input === undefined ? ['-c', script] : ['-s'];
  return execFileSync(shell, args, options).toString('utf8');
}

describe('quotePosixArg', () => {
  const cases: [string, string][] = [
    ['', "''"],
    ['taskkill', 'taskkill'],
    ['4242', '4242'],
    ['-rf', '-rf'],
    ['a-b_c.d/e:f,g=h+i@j%k', 'a-b_c.d/e:f,g=h+i@j%k'],
    ['%PATH%', '%PATH%'],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ["''", "''\\'''\\'''"],
    ['a b', "'a b'"],
    ['\x1b[31mred\x1b[0m', "'\x1b[31mred\x1b[0m'"],
    ['\x1b]0;title\x07', "'\x1b]0;title\x07'"],
    ['line1\nline2', "'line1\nline2'"],
    ['real\rfake', "'real\rfake'"],
    ['say "hi"', `'say "hi"'`],
    ['$(echo INJECTED)', "'$(echo INJECTED)'"],
    ['`echo INJECTED`', "'`echo INJECTED`'"],
    ['$HOME', "'$HOME'"],
    [';rm -rf /', "';rm -rf /'"],
    ['!x!', "'!x!'"],
    ['&|<>^', "'&|<>^'"],
    ['~', "'~'"],
    ['*', "'*'"],
    ['#comment', "'#comment'"],
    ['a\\b', "'a\\b'"],
    ['C:\\Program Files\\app\\', "'C:\\Program Files\\app\\'"],
    ['caf\u00e9', "'caf\u00e9'"],
    ['\u4e2d\u6587', "'\u4e2d\u6587'"],
    ['fire\u{1F525}', "'fire\u{1F525}'"],
    ['it\u2019s', "'it\u2019s'"],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${caseName(expected)}`, () => {
      assert.equal(quotePosixArg(input), expected);
    });
  }

  test('a NUL throws NulInArgumentError with its index', () => {
    assert.throws(
      () => quotePosixArg('ab\0c'),
      (error: unknown) =>
        error instanceof NulInArgumentError && error.index === 2 && error.name === 'NulInArgumentError',
    );
    assert.throws(() => quotePosixCommandName('\0'), NulInArgumentError);
  });

  test('a 100 kB string of quotes is quoted in linear time', () => {
    const input = "'".repeat(100_000);
    // CPU time, not the clock: a loaded machine cannot inflate it (about 10 ms here; quadratic
    // quoting of 100 kB would take seconds).
    const { result: quoted, cpuMs } = cpuTimeOf(() => quotePosixArg(input));
    assert.ok(cpuMs < 1000, `${cpuMs} ms of CPU`);
    assert.equal(quoted.length, 2 + 4 * 100_000);
  });
});

describe('quotePosixCommandName', () => {
  const cases: [string, string][] = [
    ['docker', 'docker'],
    ['/usr/bin/kill', '/usr/bin/kill'],
    ['FOO=bar', "'FOO=bar'"],
    ['%1', "'%1'"],
    ['if', "'if'"],
    ['time', "'time'"],
    ['If', 'If'],
    ['my app', "'my app'"],
    ["it's", "'it'\\''s'"],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${caseName(expected)}`, () => {
      assert.equal(quotePosixCommandName(input), expected);
    });
  }
});

describe('quotePosixArg round trip through a real shell', () => {
  const shells = ['/bin/sh', '/bin/bash'].filter((shell) => existsSync(shell));
  for (const shell of shells) {
    for (const [name, input] of Object.entries(hostileInputs)) {
      test(`${shell}: ${name}`, () => {
        assert.equal(runShell(shell, `printf %s ${quotePosixArg(input)}`), input);
      });
    }
  }

  test('all hostile inputs as one command line: each stays one argument', () => {
    const values = Object.values(hostileInputs);
    const script = `printf '[%s]' ${values.map(quotePosixArg).join(' ')}`;
    assert.equal(runShell('/bin/sh', script), values.map((value) => `[${value}]`).join(''));
  });

  test(
    'bash with history expansion on leaves ! inside single quotes alone',
    { skip: !existsSync('/bin/bash') },
    () => {
      for (const input of ['!x!', 'a!!b', '!$', "it's !!"]) {
        const script = `set -o history -H\ntrue\nprintf %s ${quotePosixArg(input)}\n`;
        assert.equal(runShell('/bin/bash', '', script), input);
      }
    },
  );

  test('a quoted command name runs as a program, not as an assignment or keyword', () => {
    // Bare, `FOO=bar` sets a variable; quoted, the shell looks for a program called FOO=bar.
    const output = runShell(
      '/bin/sh',
      `${quotePosixCommandName('FOO=bar')} 2>/dev/null; printf %s "\${FOO-unset}"`,
    );
    assert.equal(output, 'unset');
    assert.notEqual(runShell('/bin/sh', `FOO=bar 2>/dev/null; printf %s "\${FOO-unset}"`), 'unset');
  });
});

// Every reserved word of sh, bash, ksh and zsh that the quoting knows: first in a command it is
// syntax, so a program of that name is quoted to be looked up as a command; as an argument it is
// an ordinary word.
describe('quotePosixCommandName: every reserved word is quoted', () => {
  const reserved = [
    'case',
    'coproc',
    'do',
    'done',
    'elif',
    'else',
    'esac',
    'fi',
    'for',
    'function',
    'if',
    'in',
    'select',
    'then',
    'time',
    'until',
    'while',
  ];
  for (const word of reserved) {
    test(word, () => {
      assert.equal(quotePosixCommandName(word), `'${word}'`);
      assert.equal(quotePosixArg(word), word);
    });
  }
  test('the NUL error says where the NUL is', () => {
    assert.throws(() => quotePosixArg('ab\0c'), {
      message: 'A shell argument cannot contain a NUL character (found at index 2).',
    });
  });
});
