import path from 'node:path';

/**
 * What `tapo-port start` runs by default: the project's Python with the dashboard module, and the
 * check that this Python can find that module before anything is launched (docs/start.md).
 * Everything here is pure; the file system and the child process come in from the caller.
 */

/** The module the original `start_dashboard.ps1` runs with `python -m`. */
export const dashboardModule = 'tapo_camera_mcp.web';

const dashboardPackage = 'tapo_camera_mcp';

export interface ProjectPython {
  path: string;
  /** `venv`: the project's venv or .venv; `virtual-env`: $VIRTUAL_ENV; `path`: found on PATH. */
  source: 'venv' | 'virtual-env' | 'path';
}

export interface FindPythonInputs {
  platform: NodeJS.Platform;
  projectDir: string;
  env: Record<string, string | undefined>;
  isFile(path: string): boolean;
}

interface PythonLayout {
  /** Interpreter inside a venv, relative to the venv's folder. */
  venvPython: string[];
  /** Program names to look up on PATH, in order of preference. */
  pathNames: string[];
  pathDelimiter: string;
  join(...parts: string[]): string;
  isAbsolute(entry: string): boolean;
  /** A PATH entry that must not be used even though it holds a matching name. */
  isSkipped(entry: string): boolean;
}

const windowsLayout: PythonLayout = {
  venvPython: ['Scripts', 'python.exe'],
  // The python.org installer and winget put python.exe on PATH; python3.exe exists mostly as the
  // Store alias, which is skipped anyway.
  pathNames: ['python.exe', 'python3.exe'],
  pathDelimiter: ';',
  join: (...parts) => path.win32.join(...parts),
  // `\foo` and `C:foo` depend on the current drive or directory: only a drive root or a UNC path.
  isAbsolute: (entry) => /^(?:[A-Za-z]:[\\/]|[\\/]{2}[^\\/])/.test(entry),
  // %LOCALAPPDATA%\Microsoft\WindowsApps holds python.exe / python3.exe "App Execution Alias"
  // stubs that open the Microsoft Store (exit 9009) when Python is not installed from it.
  isSkipped: (entry) => /[\\/]Microsoft[\\/]WindowsApps[\\/]*$/i.test(entry),
};

const posixLayout: PythonLayout = {
  venvPython: ['bin', 'python'],
  pathNames: ['python3', 'python'],
  pathDelimiter: ':',
  join: (...parts) => path.posix.join(...parts),
  isAbsolute: (entry) => entry.startsWith('/'),
  isSkipped: () => false,
};

function layoutFor(platform: NodeJS.Platform): PythonLayout {
  return platform === 'win32' ? windowsLayout : posixLayout;
}

/**
 * The Python that runs the dashboard: the project's `venv`, then `.venv`, then the active
 * `$VIRTUAL_ENV`, then `python3` / `python` on PATH (Windows: `python.exe` / `python3.exe`,
 * skipping the Store alias folder). Relative and empty PATH entries are ignored: they would
 * depend on the directory the dashboard is started from. Null when there is none.
 */
export function findProjectPython(inputs: FindPythonInputs): ProjectPython | null {
  const layout = layoutFor(inputs.platform);
  for (const venv of ['venv', '.venv']) {
    const candidate = layout.join(inputs.projectDir, venv, ...layout.venvPython);
    if (inputs.isFile(candidate)) return { path: candidate, source: 'venv' };
  }

  const virtualEnv = readEnv(inputs.env, 'VIRTUAL_ENV', inputs.platform);
  // `activate` always sets an absolute path; a relative one would be resolved against our own
  // working directory, not the project's, so it is not trusted.
  if (virtualEnv !== undefined && layout.isAbsolute(virtualEnv)) {
    const candidate = layout.join(virtualEnv, ...layout.venvPython);
    if (inputs.isFile(candidate)) return { path: candidate, source: 'virtual-env' };
  }

  const entries = (readEnv(inputs.env, 'PATH', inputs.platform) ?? '')
    .split(layout.pathDelimiter)
    .map((entry) => (inputs.platform === 'win32' ? unquoteWindowsPathEntry(entry) : entry))
    .filter((entry) => entry !== '' && layout.isAbsolute(entry) && !layout.isSkipped(entry));
  // Name first, then folder: `python3` anywhere on PATH wins over `python` earlier on PATH,
  // like `command -v python3 || command -v python`.
  for (const name of layout.pathNames) {
    for (const entry of entries) {
      const candidate = layout.join(entry, name);
      if (inputs.isFile(candidate)) return { path: candidate, source: 'path' };
    }
  }
  return null;
}

/** Windows environment names are case-insensitive (`Path` is common); a copied object is not. */
function readEnv(
  env: Record<string, string | undefined>,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  const exact = env[name];
  if (exact !== undefined || platform !== 'win32') return exact === '' ? undefined : exact;
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name);
  const value = key === undefined ? undefined : env[key];
  return value === '' ? undefined : value;
}

/** Windows accepts PATH entries wrapped in double quotes (`"C:\Program Files\Python312"`). */
function unquoteWindowsPathEntry(entry: string): string {
  return entry.replaceAll('"', '');
}

/** argv of the default dashboard command, with `{host}` and `{port}` still to be filled in. */
export function defaultDashboardCommand(python: string): string[] {
  return [python, '-m', dashboardModule, '--host', '{host}', '--port', '{port}'];
}

/**
 * Replaces every `{host}` and `{port}` inside each word (`--bind={host}:{port}` works). One
 * pass, so a host that contained `{port}` would not be expanded again; nothing else in the
 * words is interpreted, and the words are never joined into a shell line.
 */
export function fillPlaceholders(argv: readonly string[], values: { host: string; port: number }): string[] {
  return argv.map((word) =>
    word.replace(/\{(host|port)\}/g, (_match, name: string) =>
      name === 'host' ? values.host : String(values.port),
    ),
  );
}

/**
 * A Python program for `python -c SCRIPT tapo_camera_mcp.web`, run with the project directory as
 * the working directory (so `-c` puts it on sys.path, as `-m` would). It finds the module the way
 * `python -m` will, without importing anything: `find_spec` on the top-level name only consults
 * the finders (it does not execute the package's __init__.py), and the submodules are looked up
 * with PathFinder in the package's folders, which never executes a package either. A package
 * (like the real `tapo_camera_mcp/web/`) needs a `__main__` to be run with `-m`.
 *
 * Prints nothing. Exit codes: 0 found; 10 the top-level package is missing; 11 the package is
 * there but the module (or its `__main__`) is not; 12 Python older than 3.8. The first lines parse
 * on Python 2 as well, so an old Python gets 12 rather than a syntax error.
 */
export const moduleProbeScript = [
  'import sys',
  'if sys.version_info < (3, 8):',
  '    sys.exit(12)',
  'import importlib.util',
  'from importlib.machinery import PathFinder',
  'parts = sys.argv[1].split(".")',
  'try:',
  '    spec = importlib.util.find_spec(parts[0])',
  'except (ImportError, ValueError):',
  '    spec = None',
  'if spec is None:',
  '    sys.exit(10)',
  'for depth in range(2, len(parts) + 1):',
  '    where = spec.submodule_search_locations',
  '    spec = None if where is None else PathFinder.find_spec(".".join(parts[:depth]), list(where))',
  '    if spec is None:',
  '        sys.exit(11)',
  'where = spec.submodule_search_locations',
  'if where is not None and PathFinder.find_spec(sys.argv[1] + ".__main__", list(where)) is None:',
  '    sys.exit(11)',
  '',
].join('\n');

/** Arguments for the Python found by findProjectPython: `[-c, moduleProbeScript, module]`. */
export function moduleProbeArgs(module: string = dashboardModule): string[] {
  return ['-c', moduleProbeScript, module];
}

export const moduleProbeExit = { found: 0, packageMissing: 10, moduleMissing: 11, pythonTooOld: 12 } as const;

export interface ModuleProbeResult {
  /** Exit code; null when Python was stopped (timeout or signal). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ModuleProbeContext {
  python: string;
  projectDir: string;
  platform: NodeJS.Platform;
}

export type ModuleProbeVerdict = { ok: true } | { ok: false; message: string; hint: string };

interface PlatformAdvice {
  /** Creates the project's venv and installs the dashboard into it, run in the project folder. */
  install: string;
  /** The same, replacing a venv whose Python no longer runs. */
  reinstall: string;
  installPython: string;
}

const windowsAdvice: PlatformAdvice = {
  install: 'py -3 -m venv venv; .\\venv\\Scripts\\python.exe -m pip install -e .',
  reinstall: 'py -3 -m venv --clear venv; .\\venv\\Scripts\\python.exe -m pip install -e .',
  installPython:
    'Install Python 3.8 or later from https://www.python.org/downloads/ or with winget install Python.Python.3.12',
};

const posixInstall = 'python3 -m venv venv && ./venv/bin/python -m pip install -e .';
const posixReinstall = 'python3 -m venv --clear venv && ./venv/bin/python -m pip install -e .';

const advice: Partial<Record<NodeJS.Platform, PlatformAdvice>> = {
  win32: windowsAdvice,
  darwin: {
    install: posixInstall,
    reinstall: posixReinstall,
    installPython:
      'Install Python 3.8 or later: brew install python (or from https://www.python.org/downloads/)',
  },
  linux: {
    install: posixInstall,
    reinstall: posixReinstall,
    installPython:
      'Install Python 3.8 or later with venv support (Debian/Ubuntu: sudo apt install python3 python3-venv; Fedora: sudo dnf install python3)',
  },
};

const otherPosixAdvice: PlatformAdvice = {
  install: posixInstall,
  reinstall: posixReinstall,
  installPython: "Install Python 3.8 or later with your system's package manager",
};

function adviceFor(platform: NodeJS.Platform): PlatformAdvice {
  return advice[platform] ?? otherPosixAdvice;
}

/** Turns the probe's exit code into go / no-go with a message and the fix. Decides by code only. */
export function interpretModuleProbe(
  result: ModuleProbeResult,
  context: ModuleProbeContext,
): ModuleProbeVerdict {
  const { python, projectDir } = context;
  const fix = adviceFor(context.platform);
  // The command comes last so that it can be copied whole; it ends in `.`, so no full stop follows.
  const elsewhere =
    'If the dashboard is checked out elsewhere, pass --project-dir <its folder> (or set TAPO_PROJECT_DIR); otherwise';
  switch (result.code) {
    case moduleProbeExit.found:
      return { ok: true };
    case moduleProbeExit.packageMissing:
      return {
        ok: false,
        message: `Python at ${python} cannot find the module ${dashboardPackage} (the Tapo dashboard) from ${projectDir}.`,
        hint: `${elsewhere} create a venv and install the dashboard into it, in ${projectDir}: ${fix.install}`,
      };
    case moduleProbeExit.moduleMissing:
      return {
        ok: false,
        message: `Python at ${python} finds ${dashboardPackage} from ${projectDir}, but not its runnable module ${dashboardModule} (the Tapo dashboard); the installed ${dashboardPackage} may be old or a different project.`,
        hint: `${elsewhere} install the dashboard from its checkout into the venv, in ${projectDir}: ${fix.install}`,
      };
    case moduleProbeExit.pythonTooOld:
      return {
        ok: false,
        message: `Python at ${python} is older than 3.8, which the Tapo dashboard needs.`,
        hint: `${fix.installPython}, then recreate the venv in ${projectDir}: ${fix.reinstall}`,
      };
    case null:
      return {
        ok: false,
        message: `Python at ${python} was stopped before it finished checking for ${dashboardModule}.`,
        hint: `Check that ${python} starts (run it with --version), or recreate the venv in ${projectDir}: ${fix.reinstall}`,
      };
    default: {
      const detail = errorLine(result.stderr) || errorLine(result.stdout);
      return {
        ok: false,
        message: `Python at ${python} does not run (exit code ${result.code}${detail === '' ? '' : `: ${detail}`}).`,
        hint: `A venv stops working when the Python it was made from is removed or upgraded. Recreate it in ${projectDir}: ${fix.reinstall}`,
      };
    }
  }
}

/** Message and fix for when findProjectPython finds nothing. */
export function pythonMissingError(platform: NodeJS.Platform): { message: string; hint: string } {
  const fix = adviceFor(platform);
  const onPath =
    platform === 'win32'
      ? 'no python.exe or python3.exe on PATH (the Microsoft Store alias in WindowsApps does not count)'
      : 'no python3 or python on PATH';
  return {
    message: `No Python found for the Tapo dashboard: no venv or .venv in the project directory, no VIRTUAL_ENV, and ${onPath}.`,
    hint: `${fix.installPython}, then in the dashboard's folder: ${fix.install}`,
  };
}

function errorLine(text: string): string {
  // The last line of a Python traceback names the error; the first line of anything else does.
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const line = lines[0] === 'Traceback (most recent call last):' ? lines.at(-1) : lines[0];
  return (line ?? '').slice(0, 200);
}
