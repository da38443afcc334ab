import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  dashboardModule,
  defaultDashboardCommand,
  fillPlaceholders,
  findProjectPython,
  interpretModuleProbe,
  moduleProbeArgs,
  moduleProbeScript,
  pythonMissingError,
  type FindPythonInputs,
  type ModuleProbeContext,
  type ProjectPython,
} from '../../../src/start/dashboard-command.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';
import { caseName } from '../../support/case-name.ts';

interface FindCase {
  name: string;
  platform: NodeJS.Platform;
  projectDir: string;
  env: Record<string, string | undefined>;
  files: string[];
  expected: ProjectPython | null;
}

const findCases: FindCase[] = [
  {
    name: 'linux: venv wins over .venv, VIRTUAL_ENV and PATH',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { VIRTUAL_ENV: '/home/me/env', PATH: '/usr/bin' },
    files: [
      '/srv/tapo/venv/bin/python',
      '/srv/tapo/.venv/bin/python',
      '/home/me/env/bin/python',
      '/usr/bin/python3',
    ],
    expected: { path: '/srv/tapo/venv/bin/python', source: 'venv' },
  },
  {
    name: 'linux: .venv when there is no venv',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { VIRTUAL_ENV: '/home/me/env', PATH: '/usr/bin' },
    files: ['/srv/tapo/.venv/bin/python', '/home/me/env/bin/python', '/usr/bin/python3'],
    expected: { path: '/srv/tapo/.venv/bin/python', source: 'venv' },
  },
  {
    name: 'linux: VIRTUAL_ENV when the project has no venv',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { VIRTUAL_ENV: '/home/me/env', PATH: '/usr/bin' },
    files: ['/home/me/env/bin/python', '/usr/bin/python3'],
    expected: { path: '/home/me/env/bin/python', source: 'virtual-env' },
  },
  {
    name: 'linux: a relative VIRTUAL_ENV is not trusted',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { VIRTUAL_ENV: 'env', PATH: '/usr/bin' },
    files: ['env/bin/python', '/usr/bin/python3'],
    expected: { path: '/usr/bin/python3', source: 'path' },
  },
  {
    name: 'linux: python3 anywhere on PATH wins over python earlier on PATH',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { PATH: '/opt/py/bin:/usr/local/bin:/usr/bin' },
    files: ['/opt/py/bin/python', '/usr/bin/python3'],
    expected: { path: '/usr/bin/python3', source: 'path' },
  },
  {
    name: 'linux: the first PATH folder holding python3 wins',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    files: ['/usr/bin/python3', '/usr/local/bin/python3'],
    expected: { path: '/usr/local/bin/python3', source: 'path' },
  },
  {
    name: 'linux: python when there is no python3',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    files: ['/usr/bin/python'],
    expected: { path: '/usr/bin/python', source: 'path' },
  },
  {
    name: 'linux: empty and relative PATH entries are ignored',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { PATH: ':.:bin:./tools::/usr/bin:' },
    files: ['python3', 'bin/python3', './tools/python3', '.venv-like/python3', '/usr/bin/python'],
    expected: { path: '/usr/bin/python', source: 'path' },
  },
  {
    name: 'darwin: same rules, bin/python',
    platform: 'darwin',
    projectDir: '/Users/me/tapo-camera-mcp',
    env: { PATH: '/opt/homebrew/bin:/usr/bin' },
    files: ['/Users/me/tapo-camera-mcp/.venv/bin/python', '/opt/homebrew/bin/python3'],
    expected: { path: '/Users/me/tapo-camera-mcp/.venv/bin/python', source: 'venv' },
  },
  {
    name: 'linux: nothing found',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: { PATH: '/usr/bin', VIRTUAL_ENV: '/home/me/env' },
    files: ['/usr/bin/node', '/srv/tapo/venv/Scripts/python.exe', '/home/me/env/bin/python3'],
    expected: null,
  },
  {
    name: 'linux: no PATH at all',
    platform: 'linux',
    projectDir: '/srv/tapo',
    env: {},
    files: ['/usr/bin/python3'],
    expected: null,
  },
  {
    name: 'win32: venv\\Scripts\\python.exe first',
    platform: 'win32',
    projectDir: 'C:\\Users\\me\\tapo-camera-mcp',
    env: { Path: 'C:\\Python312' },
    files: [
      'C:\\Users\\me\\tapo-camera-mcp\\venv\\Scripts\\python.exe',
      'C:\\Users\\me\\tapo-camera-mcp\\.venv\\Scripts\\python.exe',
      'C:\\Python312\\python.exe',
    ],
    expected: { path: 'C:\\Users\\me\\tapo-camera-mcp\\venv\\Scripts\\python.exe', source: 'venv' },
  },
  {
    name: 'win32: .venv second; a POSIX layout inside the project does not count',
    platform: 'win32',
    projectDir: 'C:\\Users\\me\\tapo-camera-mcp',
    env: {},
    files: [
      'C:\\Users\\me\\tapo-camera-mcp\\venv\\bin\\python',
      'C:\\Users\\me\\tapo-camera-mcp\\.venv\\Scripts\\python.exe',
    ],
    expected: { path: 'C:\\Users\\me\\tapo-camera-mcp\\.venv\\Scripts\\python.exe', source: 'venv' },
  },
  {
    name: 'win32: VIRTUAL_ENV',
    platform: 'win32',
    projectDir: 'D:\\tapo',
    env: { VIRTUAL_ENV: 'D:\\envs\\tapo', Path: 'C:\\Python312' },
    files: ['D:\\envs\\tapo\\Scripts\\python.exe', 'C:\\Python312\\python.exe'],
    expected: { path: 'D:\\envs\\tapo\\Scripts\\python.exe', source: 'virtual-env' },
  },
  {
    name: 'win32: the Store alias folder is skipped, python.exe before python3.exe',
    platform: 'win32',
    projectDir: 'D:\\tapo',
    env: {
      Path: 'C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps;C:\\Tools;C:\\Program Files\\Python312\\',
    },
    files: [
      'C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\python.exe',
      'C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\python3.exe',
      'C:\\Tools\\python3.exe',
      'C:\\Program Files\\Python312\\python.exe',
    ],
    expected: { path: 'C:\\Program Files\\Python312\\python.exe', source: 'path' },
  },
  {
    name: 'win32: WindowsApps with a trailing backslash and other case is skipped too',
    platform: 'win32',
    projectDir: 'D:\\tapo',
    env: { PATH: 'c:\\users\\me\\appdata\\local\\microsoft\\windowsapps\\;C:\\Tools' },
    files: ['c:\\users\\me\\appdata\\local\\microsoft\\windowsapps\\python.exe', 'C:\\Tools\\python3.exe'],
    expected: { path: 'C:\\Tools\\python3.exe', source: 'path' },
  },
  {
    name: 'win32: only the Store alias -> null',
    platform: 'win32',
    projectDir: 'D:\\tapo',
    env: {
      Path: '%USERPROFILE%\\AppData\\Local\\Microsoft\\WindowsApps;C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps',
    },
    files: [
      'C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\python.exe',
      'C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\python3.exe',
    ],
    expected: null,
  },
  {
    name: 'win32: quoted, empty, drive-relative and relative entries',
    platform: 'win32',
    projectDir: 'D:\\tapo',
    env: { Path: ';.;\\Python;C:Python;Scripts;"C:\\Program Files\\Python312";' },
    files: [
      '.\\python.exe',
      '\\Python\\python.exe',
      'C:Python\\python.exe',
      'Scripts\\python.exe',
      'C:\\Program Files\\Python312\\python.exe',
    ],
    expected: { path: 'C:\\Program Files\\Python312\\python.exe', source: 'path' },
  },
  {
    name: 'win32: a UNC folder on PATH counts',
    platform: 'win32',
    projectDir: 'D:\\tapo',
    env: { Path: '\\\\server\\share\\Python312' },
    files: ['\\\\server\\share\\Python312\\python.exe'],
    expected: { path: '\\\\server\\share\\Python312\\python.exe', source: 'path' },
  },
];

describe('findProjectPython', () => {
  for (const c of findCases) {
    test(c.name, () => {
      const files = new Set(c.files);
      const asked: string[] = [];
      const inputs: FindPythonInputs = {
        platform: c.platform,
        projectDir: c.projectDir,
        env: c.env,
        isFile: (candidate) => {
          asked.push(candidate);
          return files.has(candidate);
        },
      };
      assert.deepEqual(findProjectPython(inputs), c.expected);
      for (const candidate of asked) {
        assert.ok(
          c.platform === 'win32' ? /^(?:[A-Za-z]:\\|\\\\)/.test(candidate) : candidate.startsWith('/'),
          `asked about a non-absolute path ${candidate}`,
        );
      }
    });
  }

  test('the order of what is asked: venv, .venv, VIRTUAL_ENV, then PATH name by name', () => {
    const asked: string[] = [];
    const result = findProjectPython({
      platform: 'linux',
      projectDir: '/p',
      env: { VIRTUAL_ENV: '/v', PATH: '/a:/b' },
      isFile: (candidate) => {
        asked.push(candidate);
        return false;
      },
    });
    assert.equal(result, null);
    assert.deepEqual(asked, [
      '/p/venv/bin/python',
      '/p/.venv/bin/python',
      '/v/bin/python',
      '/a/python3',
      '/b/python3',
      '/a/python',
      '/b/python',
    ]);
  });
});

describe('defaultDashboardCommand and fillPlaceholders', () => {
  test('the default command', () => {
    assert.equal(dashboardModule, 'tapo_camera_mcp.web');
    assert.deepEqual(defaultDashboardCommand('/p/venv/bin/python'), [
      '/p/venv/bin/python',
      '-m',
      'tapo_camera_mcp.web',
      '--host',
      '{host}',
      '--port',
      '{port}',
    ]);
  });

  const cases: [string[], { host: string; port: number }, string[]][] = [
    [
      defaultDashboardCommand('python'),
      { host: '0.0.0.0', port: 7779 },
      ['python', '-m', 'tapo_camera_mcp.web', '--host', '0.0.0.0', '--port', '7779'],
    ],
    [
      ['uvicorn', 'app:app', '--bind={host}:{port}'],
      { host: '::', port: 8000 },
      ['uvicorn', 'app:app', '--bind=:::8000'],
    ],
    [['x', '{port}{port}-{host}-{port}'], { host: 'h', port: 1 }, ['x', '11-h-1']],
    [['http://{host}:{port}/{host}'], { host: '127.0.0.1', port: 7777 }, ['http://127.0.0.1:7777/127.0.0.1']],
    [
      ['{HOST}', '{ port }', '{{port}}', '{hostname}', 'port', '$port', '%port%'],
      { host: 'h', port: 2 },
      ['{HOST}', '{ port }', '{2}', '{hostname}', 'port', '$port', '%port%'],
    ],
    // One pass: a host that contains a placeholder is not expanded again.
    [['{host}'], { host: '{port}', port: 3 }, ['{port}']],
    [[], { host: 'h', port: 1 }, []],
  ];
  for (const [argv, values, expected] of cases) {
    test(`${caseName(argv)} -> ${caseName(expected)}`, () => {
      const before = argv.slice();
      assert.deepEqual(fillPlaceholders(argv, values), expected);
      assert.deepEqual(argv, before, 'the input is not changed');
    });
  }

  test('hostile words pass through untouched, and the word count stays the same', () => {
    const words = Object.values(hostileInputs);
    assert.deepEqual(fillPlaceholders(words, { host: '0.0.0.0', port: 7777 }), words);
  });

  test('hostile words around a placeholder keep everything but the placeholder', () => {
    for (const word of Object.values(hostileInputs)) {
      assert.equal(
        fillPlaceholders([`${word}{port}${word}`], { host: 'h', port: 7777 })[0],
        `${word}7777${word}`,
      );
    }
  });
});

describe('interpretModuleProbe', () => {
  const linux: ModuleProbeContext = {
    python: '/srv/tapo/venv/bin/python',
    projectDir: '/srv/tapo',
    platform: 'linux',
  };
  const windows: ModuleProbeContext = {
    python: 'C:\\tapo\\venv\\Scripts\\python.exe',
    projectDir: 'C:\\tapo',
    platform: 'win32',
  };
  const probe = (code: number | null, stderr = '') => ({ code, stdout: '', stderr });

  test('0 is ok', () => {
    assert.deepEqual(interpretModuleProbe(probe(0), linux), { ok: true });
  });

  test('10: the package is missing, with the install command for the platform', () => {
    const posix = interpretModuleProbe(probe(10), linux);
    assert.deepEqual(posix, {
      ok: false,
      message:
        'Python at /srv/tapo/venv/bin/python cannot find the module tapo_camera_mcp (the Tapo dashboard) from /srv/tapo.',
      hint:
        'If the dashboard is checked out elsewhere, pass --project-dir <its folder> (or set TAPO_PROJECT_DIR); ' +
        'otherwise create a venv and install the dashboard into it, in /srv/tapo: ' +
        'python3 -m venv venv && ./venv/bin/python -m pip install -e .',
    });
    const win = interpretModuleProbe(probe(10), windows);
    assert.equal(win.ok, false);
    if (win.ok) return;
    assert.equal(
      win.message,
      'Python at C:\\tapo\\venv\\Scripts\\python.exe cannot find the module tapo_camera_mcp (the Tapo dashboard) from C:\\tapo.',
    );
    assert.match(
      win.hint,
      /in C:\\tapo: py -3 -m venv venv; \.\\venv\\Scripts\\python\.exe -m pip install -e \.$/,
    );
  });

  test('11: the package is there but not the runnable module', () => {
    const verdict = interpretModuleProbe(probe(11), linux);
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.match(
      verdict.message,
      /^Python at \/srv\/tapo\/venv\/bin\/python finds tapo_camera_mcp from \/srv\/tapo, but not its runnable module tapo_camera_mcp\.web/,
    );
    assert.match(verdict.hint, /python3 -m venv venv && \.\/venv\/bin\/python -m pip install -e \.$/);
  });

  test('12: too old', () => {
    const verdict = interpretModuleProbe(probe(12), windows);
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.match(verdict.message, /is older than 3\.8/);
    assert.match(verdict.hint, /winget install Python\.Python\.3\.12/);
    assert.match(verdict.hint, /py -3 -m venv --clear venv/);
  });

  test('null: stopped', () => {
    const verdict = interpretModuleProbe(probe(null), linux);
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.equal(
      verdict.message,
      'Python at /srv/tapo/venv/bin/python was stopped before it finished checking for tapo_camera_mcp.web.',
    );
  });

  test('another code: a Python that does not run, named with its error', () => {
    // What a venv prints when the Python it was made from is gone (Windows launcher stub).
    const verdict = interpretModuleProbe(
      probe(
        103,
        "No Python at '\"C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python311\\python.exe'\r\n",
      ),
      windows,
    );
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.equal(
      verdict.message,
      "Python at C:\\tapo\\venv\\Scripts\\python.exe does not run (exit code 103: No Python at '\"C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python311\\python.exe').",
    );
    assert.match(
      verdict.hint,
      /py -3 -m venv --clear venv; \.\\venv\\Scripts\\python\.exe -m pip install -e \./,
    );
  });

  test('another code with a traceback names its last line', () => {
    const stderr = [
      'Traceback (most recent call last):',
      '  File "<string>", line 4, in <module>',
      "ModuleNotFoundError: No module named 'importlib.machinery'",
      '',
    ].join('\n');
    const verdict = interpretModuleProbe(probe(1, stderr), linux);
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.match(
      verdict.message,
      /\(exit code 1: ModuleNotFoundError: No module named 'importlib\.machinery'\)\.$/,
    );
  });

  test('another code without output', () => {
    const verdict = interpretModuleProbe(probe(127), linux);
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.equal(verdict.message, 'Python at /srv/tapo/venv/bin/python does not run (exit code 127).');
  });
});

describe('pythonMissingError', () => {
  test('win32', () => {
    const error = pythonMissingError('win32');
    assert.match(
      error.message,
      /no python\.exe or python3\.exe on PATH \(the Microsoft Store alias in WindowsApps does not count\)/,
    );
    assert.match(error.hint, /https:\/\/www\.python\.org\/downloads\//);
    assert.match(error.hint, /winget install Python\.Python\.3\.12/);
    assert.match(error.hint, /py -3 -m venv venv; \.\\venv\\Scripts\\python\.exe -m pip install -e \./);
  });
  test('linux', () => {
    const error = pythonMissingError('linux');
    assert.match(
      error.message,
      /no venv or \.venv in the project directory, no VIRTUAL_ENV, and no python3 or python on PATH\./,
    );
    assert.match(error.hint, /sudo apt install python3 python3-venv/);
    assert.match(error.hint, /python3 -m venv venv && \.\/venv\/bin\/python -m pip install -e \./);
  });
  test('darwin', () => {
    assert.match(pythonMissingError('darwin').hint, /brew install python/);
  });
  test('another Unix', () => {
    assert.match(pythonMissingError('freebsd').hint, /package manager.*python3 -m venv venv/);
  });
});

// The probe itself, run by a real Python against real folders.
const here = path.dirname(fileURLToPath(import.meta.url));
const fakeDashboard = path.resolve(here, '../../fixtures/fake-dashboard');
const sandbox = mkdtempSync(path.join(tmpdir(), 'tapo-module-probe-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));

const isFile = (candidate: string): boolean => {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
};
// The probe must not see a project's venv or an inherited PYTHONPATH: a bare folder finds the
// machine's Python on PATH (or the active VIRTUAL_ENV).
const python = findProjectPython({
  platform: process.platform,
  projectDir: sandbox,
  env: process.env,
  isFile,
});
const noPython = python === null ? 'no Python 3 on PATH' : false;

function runProbe(cwd: string): { code: number | null; stdout: string; stderr: string } {
  assert.ok(python !== null);
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONSAFEPATH;
  delete env.PYTHONHOME;
  const result = spawnSync(python.path, moduleProbeArgs(), { cwd, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.error, undefined);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function makeProject(name: string, files: Record<string, string>): string {
  const dir = path.join(sandbox, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** An __init__.py that leaves a marker file and fails: executing it would show. */
function explodingInit(marker: string): string {
  return [
    'import pathlib',
    `pathlib.Path(${JSON.stringify(marker)}).write_text("executed")`,
    'raise RuntimeError("__init__ must not run during the probe")',
    '',
  ].join('\n');
}

describe('moduleProbeScript with a real Python', { skip: noPython }, () => {
  test('the arguments are -c SCRIPT tapo_camera_mcp.web', () => {
    assert.deepEqual(moduleProbeArgs(), ['-c', moduleProbeScript, 'tapo_camera_mcp.web']);
  });

  test('the fake dashboard (tapo_camera_mcp/web.py) -> 0, nothing printed', () => {
    const result = runProbe(fakeDashboard);
    assert.deepEqual(result, { code: 0, stdout: '', stderr: '' });
    assert.deepEqual(
      interpretModuleProbe(result, { python: 'p', projectDir: fakeDashboard, platform: 'linux' }),
      {
        ok: true,
      },
    );
  });

  test('a folder without tapo_camera_mcp -> 10', () => {
    const result = runProbe(makeProject('empty', {}));
    assert.equal(result.code, 10, result.stderr);
    assert.equal(result.stdout, '');
  });

  test('tapo_camera_mcp without a web module -> 11', () => {
    const dir = makeProject('no-web', { 'tapo_camera_mcp/__init__.py': '', 'tapo_camera_mcp/server.py': '' });
    assert.equal(runProbe(dir).code, 11);
  });

  test('a tapo_camera_mcp.py module (not a package) -> 11', () => {
    assert.equal(runProbe(makeProject('plain-module', { 'tapo_camera_mcp.py': '' })).code, 11);
  });

  test('the real layout: web/ package with __init__.py and __main__.py -> 0', () => {
    const dir = makeProject('web-package', {
      'tapo_camera_mcp/__init__.py': '',
      'tapo_camera_mcp/web/__init__.py': '',
      'tapo_camera_mcp/web/__main__.py': '',
    });
    assert.equal(runProbe(dir).code, 0);
  });

  test('a web/ package without __main__.py cannot be run with -m -> 11', () => {
    const dir = makeProject('web-package-no-main', {
      'tapo_camera_mcp/__init__.py': '',
      'tapo_camera_mcp/web/__init__.py': '',
    });
    assert.equal(runProbe(dir).code, 11);
  });

  test('a namespace package (no __init__.py) with web.py -> 0', () => {
    assert.equal(runProbe(makeProject('namespace', { 'tapo_camera_mcp/web.py': '' })).code, 0);
  });

  test('__init__.py that raises is not executed: web.py present -> 0, no marker', () => {
    const marker = path.join(sandbox, 'marker-found');
    const dir = makeProject('exploding-with-web', {
      'tapo_camera_mcp/__init__.py': explodingInit(marker),
      'tapo_camera_mcp/web.py': 'raise RuntimeError("web must not run either")\n',
    });
    const result = runProbe(dir);
    assert.deepEqual(result, { code: 0, stdout: '', stderr: '' });
    assert.equal(existsSync(marker), false, '__init__.py was executed');
  });

  test('__init__.py that raises is not executed: no web module -> 11, no marker', () => {
    const marker = path.join(sandbox, 'marker-missing');
    const dir = makeProject('exploding-without-web', {
      'tapo_camera_mcp/__init__.py': explodingInit(marker),
      'tapo_camera_mcp/web/__init__.py': explodingInit(marker),
    });
    const result = runProbe(dir);
    assert.equal(result.code, 11, result.stderr);
    assert.equal(existsSync(marker), false, '__init__.py was executed');
  });

  test('the marker proves itself: importing the package does write it', () => {
    // Without this, a marker that could never be written would make the two tests above vacuous.
    const marker = path.join(sandbox, 'marker-import');
    const dir = makeProject('exploding-imported', { 'tapo_camera_mcp/__init__.py': explodingInit(marker) });
    assert.ok(python !== null);
    const result = spawnSync(python.path, ['-c', 'import tapo_camera_mcp'], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(result.status, 0);
    assert.equal(existsSync(marker), true);
  });
});
