// parseStartRequest: the raw options of `start` (strings, as yargs gives them) into a checked
// request; defaults, the project directory, paths on Windows and POSIX, the words after `--`
// kept verbatim, and a one-line TapoError for every bad value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TapoError, type ErrorCode } from '../../../src/contract/error-catalogue.ts';
import {
  parseStartRequest,
  type StartArguments,
  type StartRequest,
} from '../../../src/start/parse-start-request.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';

type Context = Parameters<typeof parseStartRequest>[1];

/** What the CLI passes when no option is given (src/cli/main.ts). */
const args = (fields: Partial<StartArguments> = {}): StartArguments => ({
  port: '7777',
  host: '0.0.0.0',
  onConflict: 'reuse',
  healthUrl: '/api/health',
  healthTimeout: '10',
  readyTimeout: '60',
  projectDir: undefined,
  skipDependencyCheck: false,
  logFile: undefined,
  force: false,
  stopTimeout: '10',
  confirmed: undefined,
  json: false,
  commandWords: undefined,
  ...fields,
});

const linux = (fields: Partial<Context> = {}): Context => ({
  platform: 'linux',
  env: {},
  cwd: '/home/me/work',
  homeDir: '/home/me',
  ...fields,
});

const windows = (fields: Partial<Context> = {}): Context => ({
  platform: 'win32',
  env: { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' },
  cwd: 'C:\\Users\\me\\tapo',
  homeDir: 'C:\\Users\\me',
  ...fields,
});

function parse(fields: Partial<StartArguments> = {}, context: Context = linux()): StartRequest {
  return parseStartRequest(args(fields), context);
}

/** Asserts a TapoError with this code whose message and hint are one line each. */
function rejects(
  code: ErrorCode,
  fields: Partial<StartArguments>,
  message?: RegExp,
  context: Context = linux(),
): void {
  assert.throws(
    () => parseStartRequest(args(fields), context),
    (error: unknown) => {
      assert.ok(error instanceof TapoError, `not a TapoError: ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.doesNotMatch(error.message, /[\r\n]/, 'message on one line');
      assert.doesNotMatch(error.hint, /[\r\n]/, 'hint on one line');
      assert.ok(error.message.length > 0 && error.message.length < 300, error.message);
      if (message) assert.match(error.message, message);
      return true;
    },
    JSON.stringify(fields),
  );
}

describe('parseStartRequest: defaults', () => {
  it('gives the documented defaults on Linux', () => {
    assert.deepEqual(parse(), {
      port: 7777,
      host: { requested: '0.0.0.0', address: '0.0.0.0', family: 4 },
      policy: 'reuse',
      healthUrl: '/api/health',
      healthBudgetMs: 10_000,
      readyTimeoutMs: 60_000,
      projectDir: '/home/me/work',
      skipDependencyCheck: false,
      logFile: null,
      force: false,
      stopTimeoutSeconds: 10,
      confirmed: undefined,
      json: false,
      customCommand: null,
      stateDir: '/home/me/.local/state/tapo-port',
    });
  });

  it('takes --health-timeout in whole seconds, and --skip-dependency-check', () => {
    assert.equal(parse({ healthTimeout: '25' }).healthBudgetMs, 25_000);
    assert.equal(parse({ skipDependencyCheck: true }).skipDependencyCheck, true);
    for (const bad of ['0', '1.5', '-3', '10s', '', '3601', ['5', '6']]) {
      assert.throws(
        () => parse({ healthTimeout: bad }),
        (error: TapoError) => {
          assert.equal(error.code, 'E_USAGE');
          assert.match(error.message, /--health-timeout/);
          return true;
        },
      );
    }
  });

  it('takes the confirmed holders of a stop, as one list from repeated or comma-separated values', () => {
    const key = '4242@2026-11-24T09:15:02.410Z';
    const container = `container:${'0f3c'.repeat(16)}`;
    assert.deepEqual(parse({ onConflict: 'stop', confirmed: [key, container] }).confirmed, [key, container]);
    assert.deepEqual(parse({ onConflict: 'stop', confirmed: `${key},${container}` }).confirmed, [
      key,
      container,
    ]);
  });

  it('passes every value through', () => {
    const request = parse({
      port: '8080',
      host: '::1',
      onConflict: 'next',
      healthUrl: 'http://{host}:{port}/ready',
      readyTimeout: '5',
      projectDir: '/srv/tapo',
      logFile: '/var/log/tapo/start.log',
      force: true,
      stopTimeout: '30',
      json: true,
      commandWords: ['python', 'app.py'],
    });
    assert.equal(request.port, 8080);
    assert.deepEqual(request.host, { requested: '::1', address: '::1', family: 6 });
    assert.equal(request.policy, 'next');
    assert.equal(request.healthUrl, 'http://{host}:{port}/ready');
    assert.equal(request.readyTimeoutMs, 5000);
    assert.equal(request.projectDir, '/srv/tapo');
    assert.equal(request.logFile, '/var/log/tapo/start.log');
    assert.equal(request.force, true);
    assert.equal(request.stopTimeoutSeconds, 30);
    assert.equal(request.json, true);
    assert.deepEqual(request.customCommand, ['python', 'app.py']);
  });

  for (const policy of ['reuse', 'fail', 'next', 'stop'] as const) {
    it(`accepts --on-conflict ${policy}`, () => assert.equal(parse({ onConflict: policy }).policy, policy));
  }

  it('accepts timeouts from 1 to 3600 s', () => {
    assert.equal(parse({ readyTimeout: '1' }).readyTimeoutMs, 1000);
    assert.equal(parse({ readyTimeout: '3600' }).readyTimeoutMs, 3_600_000);
    assert.equal(parse({ stopTimeout: '1' }).stopTimeoutSeconds, 1);
    assert.equal(parse({ stopTimeout: '3600' }).stopTimeoutSeconds, 3600);
  });

  for (const url of [
    '/api/health',
    '/h?x=1&y={port}',
    'http://{host}:{port}/api/health',
    'http://[::1]:{port}/api/health',
    'http://dash.example/health',
  ]) {
    it(`accepts --health-url ${url} as given`, () => assert.equal(parse({ healthUrl: url }).healthUrl, url));
  }
});

describe('parseStartRequest: the state directory', () => {
  it('TAPO_STATE_DIR wins', () => {
    assert.equal(parse({}, linux({ env: { TAPO_STATE_DIR: '/srv/state' } })).stateDir, '/srv/state');
  });

  it('XDG_STATE_HOME on Linux, Application Support on macOS, LOCALAPPDATA on Windows', () => {
    assert.equal(parse({}, linux({ env: { XDG_STATE_HOME: '/x/state' } })).stateDir, '/x/state/tapo-port');
    assert.equal(
      parse({}, linux({ platform: 'darwin', cwd: '/Users/me', homeDir: '/Users/me' })).stateDir,
      '/Users/me/Library/Application Support/tapo-port',
    );
    assert.equal(parse({}, windows()).stateDir, 'C:\\Users\\me\\AppData\\Local\\tapo-port');
  });

  it('a relative TAPO_STATE_DIR: E_STATE_DIR, exit 5', () => {
    rejects(
      'E_STATE_DIR',
      {},
      /TAPO_STATE_DIR must be an absolute path/,
      linux({ env: { TAPO_STATE_DIR: 'state' } }),
    );
    const error = (() => {
      try {
        parse({}, linux({ env: { TAPO_STATE_DIR: 'state' } }));
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    assert.ok(error instanceof TapoError);
    assert.equal(error.exitCode, 5);
    assert.match(error.hint, /TAPO_STATE_DIR/);
  });

  it('no usable home and no TAPO_STATE_DIR: E_STATE_DIR', () => {
    rejects('E_STATE_DIR', {}, /home directory/, linux({ homeDir: '' }));
    rejects('E_STATE_DIR', {}, /home directory/, linux({ homeDir: 'relative' }));
  });

  it('a hostile TAPO_STATE_DIR still gives a one-line message', () => {
    for (const value of Object.values(hostileInputs)) {
      if (value === '' || value.startsWith('/')) continue;
      rejects('E_STATE_DIR', {}, undefined, linux({ env: { TAPO_STATE_DIR: value } }));
    }
  });
});

describe('parseStartRequest: the project directory', () => {
  it('the working directory by default', () => {
    assert.equal(parse().projectDir, '/home/me/work');
  });

  it('TAPO_PROJECT_DIR, absolute or relative to the working directory', () => {
    assert.equal(parse({}, linux({ env: { TAPO_PROJECT_DIR: '/srv/tapo' } })).projectDir, '/srv/tapo');
    assert.equal(parse({}, linux({ env: { TAPO_PROJECT_DIR: 'dash' } })).projectDir, '/home/me/work/dash');
    assert.equal(parse({}, linux({ env: { TAPO_PROJECT_DIR: '../dash/' } })).projectDir, '/home/me/dash');
  });

  it('an empty TAPO_PROJECT_DIR counts as unset', () => {
    assert.equal(parse({}, linux({ env: { TAPO_PROJECT_DIR: '' } })).projectDir, '/home/me/work');
  });

  it('--project-dir wins over TAPO_PROJECT_DIR', () => {
    const context = linux({ env: { TAPO_PROJECT_DIR: '/srv/tapo' } });
    assert.equal(parse({ projectDir: '/opt/dash' }, context).projectDir, '/opt/dash');
    assert.equal(parse({ projectDir: 'here' }, context).projectDir, '/home/me/work/here');
  });

  it('is not expanded by us: ~ and $VAR stay words of the path', () => {
    assert.equal(parse({ projectDir: '~/dash' }).projectDir, '/home/me/work/~/dash');
    assert.equal(parse({ projectDir: '$HOME' }).projectDir, '/home/me/work/$HOME');
  });

  it('given twice: E_USAGE', () => {
    rejects('E_USAGE', { projectDir: ['/a', '/b'] }, /--project-dir was given 2 times; give it once/);
  });
});

describe('parseStartRequest: Windows and POSIX paths', () => {
  it('Windows: drive paths, relative paths and forward slashes', () => {
    assert.equal(parse({}, windows()).projectDir, 'C:\\Users\\me\\tapo');
    assert.equal(parse({ projectDir: 'D:\\dash' }, windows()).projectDir, 'D:\\dash');
    assert.equal(parse({ projectDir: 'D:/dash/app' }, windows()).projectDir, 'D:\\dash\\app');
    assert.equal(parse({ projectDir: 'sub\\dir' }, windows()).projectDir, 'C:\\Users\\me\\tapo\\sub\\dir');
    assert.equal(parse({ projectDir: '..\\other' }, windows()).projectDir, 'C:\\Users\\me\\other');
    assert.equal(
      parse({ projectDir: '\\\\server\\share\\dash' }, windows()).projectDir,
      '\\\\server\\share\\dash',
    );
    assert.equal(
      parse({}, windows({ env: { ...windows().env, TAPO_PROJECT_DIR: 'E:\\Tapo Dashboard' } })).projectDir,
      'E:\\Tapo Dashboard',
    );
  });

  it('Windows: the log file is resolved against the working directory', () => {
    assert.equal(
      parse({ logFile: 'logs\\start.log' }, windows()).logFile,
      'C:\\Users\\me\\tapo\\logs\\start.log',
    );
    assert.equal(parse({ logFile: 'D:\\logs\\tapo.log' }, windows()).logFile, 'D:\\logs\\tapo.log');
  });

  it('POSIX: a backslash is part of a name', () => {
    assert.equal(parse({ projectDir: 'C:\\dash' }).projectDir, '/home/me/work/C:\\dash');
    assert.equal(parse({ logFile: 'logs/start.log' }).logFile, '/home/me/work/logs/start.log');
    assert.equal(parse({ logFile: '/var/log/tapo.log' }).logFile, '/var/log/tapo.log');
    assert.equal(parse({ logFile: 'a/../b.log' }).logFile, '/home/me/work/b.log');
  });

  it('macOS paths are POSIX paths', () => {
    const mac = linux({ platform: 'darwin', cwd: '/Users/me/Projects', homeDir: '/Users/me' });
    assert.equal(parse({ projectDir: 'tapo' }, mac).projectDir, '/Users/me/Projects/tapo');
  });
});

describe('parseStartRequest: the command after --', () => {
  it('absent: the default command (null)', () => {
    assert.equal(parse().customCommand, null);
  });

  it('keeps hostile words verbatim: quotes, $(), backticks, newlines, placeholders', () => {
    const words = [
      'python',
      'app.py',
      '--name',
      'it\'s "quoted"',
      '$(rm -rf /)',
      '`id`',
      'line1\nline2',
      'carriage\rreturn',
      '--port',
      '{port}',
      '--host={host}',
      '',
      '  spaced  ',
      '%PATH%',
      '&|<>^',
      'caf\u00e9 \u{1F525}',
      '\x1b[31mred',
      '--',
      '-rf',
    ];
    assert.deepEqual(parse({ commandWords: [...words] }).customCommand, words);
  });

  it('keeps every shared hostile input verbatim', () => {
    const words = ['cmd', ...Object.values(hostileInputs)];
    assert.deepEqual(parse({ commandWords: [...words] }).customCommand, words);
  });

  it('words yargs made numbers come back as text', () => {
    assert.deepEqual(parse({ commandWords: ['python', 8080, true] }).customCommand, [
      'python',
      '8080',
      'true',
    ]);
  });

  it('nothing after --: E_USAGE with an example', () => {
    rejects('E_USAGE', { commandWords: [] }, /nothing after --: name the command to start/);
  });

  it('an empty command name: E_USAGE', () => {
    rejects('E_USAGE', { commandWords: ['', 'app.py'] }, /nothing after --/);
  });

  it('a NUL in any word: E_USAGE', () => {
    rejects('E_USAGE', { commandWords: ['python', 'a\0b'] }, /NUL/);
    rejects('E_USAGE', { commandWords: ['py\0thon'] }, /NUL/);
  });
});

describe('parseStartRequest: bad input', () => {
  const cases: [string, ErrorCode, Partial<StartArguments>, RegExp][] = [
    ['a port that is not a number', 'E_INVALID_PORT', { port: 'abc' }, /invalid --port "abc"/],
    ['port 0', 'E_INVALID_PORT', { port: '0' }, /out of range 1-65535/],
    ['port 65536', 'E_INVALID_PORT', { port: '65536' }, /out of range/],
    ['an empty port', 'E_INVALID_PORT', { port: '' }, /\(empty\)/],
    ['a hex port', 'E_INVALID_PORT', { port: '0x1E61' }, /not a whole number/],
    ['a port with spaces', 'E_INVALID_PORT', { port: ' 77' }, /not a whole number/],
    ['a port given twice', 'E_INVALID_PORT', { port: ['7777', '7779'] }, /given 2 times/],
    ['a host name', 'E_INVALID_HOST', { host: 'example.com' }, /not an IP address or localhost/],
    ['an empty host', 'E_INVALID_HOST', { host: '' }, /\(empty\)/],
    ['a short IPv4', 'E_INVALID_HOST', { host: '1.2.3' }, /invalid --host/],
    ['a host given twice', 'E_INVALID_HOST', { host: ['::1', '0.0.0.0'] }, /given 2 times/],
    [
      'an unknown policy',
      'E_USAGE',
      { onConflict: 'retry' },
      /invalid --on-conflict "retry": one of reuse, fail, next, stop/,
    ],
    ['a policy in capitals', 'E_USAGE', { onConflict: 'REUSE' }, /invalid --on-conflict/],
    [
      'confirmed holders without the stop policy',
      'E_USAGE',
      { onConflict: 'fail', confirmed: ['4242@2026-11-24T09:15:02.410Z'] },
      /--confirmed works only with --on-conflict stop/,
    ],
    [
      'a confirmed PID without its start time',
      'E_USAGE',
      { onConflict: 'stop', confirmed: ['4242'] },
      /invalid --confirmed "4242"/,
    ],
    [
      'a confirmed container by name (ids only: a name can be reused)',
      'E_USAGE',
      { onConflict: 'stop', confirmed: ['container:web7777'] },
      /invalid --confirmed "container:web7777"/,
    ],
    [
      'a confirmed value with a shell character',
      'E_USAGE',
      { onConflict: 'stop', confirmed: ['4242@2026-11-24T09:15:02.410Z;rm'] },
      /invalid --confirmed/,
    ],
    ['an empty policy', 'E_USAGE', { onConflict: '' }, /invalid --on-conflict ""/],
    ['a policy given twice', 'E_USAGE', { onConflict: ['reuse', 'next'] }, /--on-conflict was given 2 times/],
    ['an empty health URL', 'E_USAGE', { healthUrl: '' }, /invalid --health-url ""/],
    ['a health path without /', 'E_USAGE', { healthUrl: 'api/health' }, /not a path or a URL/],
    ['a health path with //', 'E_USAGE', { healthUrl: '//evil.example/x' }, /must not start with \/\//],
    ['an ftp health URL', 'E_USAGE', { healthUrl: 'ftp://127.0.0.1/x' }, /only http URLs/],
    ['a javascript: health URL', 'E_USAGE', { healthUrl: 'javascript:alert(1)' }, /only http URLs/],
    [
      'an https health URL (not asked)',
      'E_USAGE',
      { healthUrl: 'https://127.0.0.1:{port}/api/health' },
      /only http URLs/,
    ],
    ['a health URL with a space', 'E_USAGE', { healthUrl: '/api health' }, /spaces or control characters/],
    ['a health URL with a newline', 'E_USAGE', { healthUrl: '/api\nhealth' }, /spaces or control characters/],
    ['a health URL with ESC', 'E_USAGE', { healthUrl: '/api\x1b[2J' }, /control characters/],
    ['a broken health URL', 'E_USAGE', { healthUrl: 'http://[::1' }, /not a path or a URL/],
    ['a health URL given twice', 'E_USAGE', { healthUrl: ['/a', '/b'] }, /--health-url was given 2 times/],
    [
      'ready timeout 0',
      'E_USAGE',
      { readyTimeout: '0' },
      /invalid --ready-timeout "0": whole seconds from 1 to 3600/,
    ],
    ['ready timeout 3601', 'E_USAGE', { readyTimeout: '3601' }, /invalid --ready-timeout "3601"/],
    ['a fractional ready timeout', 'E_USAGE', { readyTimeout: '1.5' }, /invalid --ready-timeout/],
    ['a negative ready timeout', 'E_USAGE', { readyTimeout: '-1' }, /invalid --ready-timeout/],
    ['an exponent ready timeout', 'E_USAGE', { readyTimeout: '1e3' }, /invalid --ready-timeout/],
    ['an empty ready timeout', 'E_USAGE', { readyTimeout: '' }, /invalid --ready-timeout ""/],
    ['a huge ready timeout', 'E_USAGE', { readyTimeout: '99999999999' }, /invalid --ready-timeout/],
    [
      'a ready timeout given twice',
      'E_USAGE',
      { readyTimeout: ['5', '6'] },
      /--ready-timeout was given 2 times/,
    ],
    ['stop timeout 0', 'E_USAGE', { stopTimeout: '0' }, /invalid --stop-timeout "0"/],
    ['a word as stop timeout', 'E_USAGE', { stopTimeout: 'ten' }, /invalid --stop-timeout "ten"/],
    ['an empty log file', 'E_USAGE', { logFile: '' }, /--log-file needs a file path/],
    ['a log file given twice', 'E_USAGE', { logFile: ['a', 'b'] }, /--log-file was given 2 times/],
  ];
  for (const [name, code, fields, message] of cases) {
    it(`${name}: ${code}`, () => rejects(code, fields, message));
  }

  it('a hostile value gives a one-line message for every option', () => {
    for (const value of Object.values(hostileInputs)) {
      rejects('E_INVALID_PORT', { port: value });
      rejects('E_INVALID_HOST', { host: value });
      rejects('E_INVALID_HOST', { host: `h${value}` });
      rejects('E_USAGE', { onConflict: value });
      rejects('E_USAGE', { readyTimeout: value });
      rejects('E_USAGE', { stopTimeout: `x${value}` });
      rejects('E_USAGE', { healthUrl: `/a b${value}` });
      rejects('E_USAGE', { healthUrl: `x${value}` });
    }
  });

  it('a request that passes is reusable: parsing twice gives the same answer', () => {
    assert.deepEqual(parse({ commandWords: ['a'] }), parse({ commandWords: ['a'] }));
  });
});
