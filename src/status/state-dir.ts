import { promises as fs, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { TapoError } from '../contract/error-catalogue.ts';
import { quotePosixArg } from '../text/quote-posix.ts';
import { quotePowerShellArg } from '../text/quote-powershell.ts';

/** Why a state directory was refused; stable, so callers map it to an error code without reading text. */
export type StateDirProblem =
  | 'not-absolute'
  | 'no-home'
  | 'create-failed'
  | 'symlink'
  | 'not-a-directory'
  | 'foreign-owner'
  | 'writable-by-others';

/** A state directory that cannot be used safely; the message names the path, the hint the fix. */
export class StateDirError extends Error {
  readonly problem: StateDirProblem;
  readonly path: string;
  readonly hint: string;
  constructor(problem: StateDirProblem, dir: string, message: string, hint: string) {
    super(message);
    this.name = 'StateDirError';
    this.problem = problem;
    this.path = dir;
    this.hint = hint;
  }
}

/** A refused state directory as the one-line error the CLI prints (E_STATE_DIR); anything else as it is. */
export function asTapoError(error: unknown): unknown {
  return error instanceof StateDirError ? new TapoError('E_STATE_DIR', error.message, error.hint) : error;
}

export interface StateDirInputs {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homeDir: string;
}

const APP = 'tapo-port';
const OVERRIDE = 'TAPO_STATE_DIR';

interface PlatformRule {
  paths: path.PlatformPath;
  /** Where the state lives when TAPO_STATE_DIR is not set; null when a usable base is unknown. */
  defaultDir(env: StateDirInputs['env'], home: string | null): string | null;
}

const WINDOWS: PlatformRule = {
  paths: path.win32,
  defaultDir: (env, home) => {
    const local = nonEmpty(env.LOCALAPPDATA);
    if (local !== null && path.win32.isAbsolute(local)) return path.win32.join(local, APP);
    return home === null ? null : path.win32.join(home, 'AppData', 'Local', APP);
  },
};

const MACOS: PlatformRule = {
  paths: path.posix,
  defaultDir: (_env, home) =>
    home === null ? null : path.posix.join(home, 'Library', 'Application Support', APP),
};

const XDG: PlatformRule = {
  paths: path.posix,
  defaultDir: (env, home) => {
    // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
    const state = nonEmpty(env.XDG_STATE_HOME);
    if (state !== null && path.posix.isAbsolute(state)) return path.posix.join(state, APP);
    return home === null ? null : path.posix.join(home, '.local', 'state', APP);
  },
};

/** Linux and the other Unix-likes follow the XDG base directory spec. */
const RULES: Partial<Record<NodeJS.Platform, PlatformRule>> = { win32: WINDOWS, darwin: MACOS };

/**
 * The per-user state directory (docs/start.md): TAPO_STATE_DIR, else the platform's place for
 * application state. Pure; an empty variable counts as unset, as shells make unsetting awkward.
 */
export function resolveStateDir(inputs: StateDirInputs): string {
  const rule = RULES[inputs.platform] ?? XDG;
  const override = nonEmpty(inputs.env[OVERRIDE]);
  if (override !== null) {
    // A relative path would name a different directory from every working directory, so two
    // starts would not see each other's lock.
    if (!rule.paths.isAbsolute(override)) {
      throw new StateDirError(
        'not-absolute',
        override,
        `${OVERRIDE} must be an absolute path; it is ${JSON.stringify(override)}.`,
        `Set ${OVERRIDE} to a full path such as ${inputs.platform === 'win32' ? 'C:\\tapo-state' : '/home/me/.tapo-state'}, or unset it.`,
      );
    }
    return rule.paths.normalize(override);
  }
  const home = nonEmpty(inputs.homeDir);
  const dir = rule.defaultDir(inputs.env, home !== null && rule.paths.isAbsolute(home) ? home : null);
  if (dir === null) {
    throw new StateDirError(
      'no-home',
      inputs.homeDir,
      `No state directory: the home directory ${JSON.stringify(inputs.homeDir)} is not an absolute path.`,
      `Set ${OVERRIDE} to an absolute path of a directory only you can write to.`,
    );
  }
  return dir;
}

/** This user's state directory (TAPO_STATE_DIR or the platform's place), as a usage error when unusable. */
export function stateDirOfThisUser(): string {
  try {
    return resolveStateDir({ platform: process.platform, env: process.env, homeDir: homedir() });
  } catch (error) {
    throw asTapoError(error);
  }
}

export interface EnsureStateDirOptions {
  platform?: NodeJS.Platform;
  /** Our uid; null when the platform has none. Defaults to process.getuid(). */
  uid?: number | null;
}

/**
 * Creates the state directory (0700) if missing, then refuses one that another user could use
 * to plant or swap our lock and status files: a symlink, not a directory, owned by another
 * user, or writable by group or others. Windows has no such mode bits; there only the symlink
 * (junctions included: lstat reports them as links) and directory checks apply.
 */
export async function ensureStateDir(dir: string, options: EnsureStateDirOptions = {}): Promise<void> {
  const platform = options.platform ?? process.platform;
  const uid = options.uid !== undefined ? options.uid : (process.getuid?.() ?? null);
  const quote = platform === 'win32' ? quotePowerShellArg : quotePosixArg;
  const elsewhere = `or set ${OVERRIDE} to a directory only you can write to`;

  let stat = await lstatOrNull(dir);
  if (stat === null) {
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new StateDirError(
        'create-failed',
        dir,
        `Cannot create the state directory ${dir}: ${code ?? (error as Error).message}.`,
        `Check that its parent exists and is writable by you, ${elsewhere}.`,
      );
    }
    stat = await fs.lstat(dir);
  }
  if (stat.isSymbolicLink()) {
    const remove = platform === 'win32' ? `Remove-Item ${quote(dir)}` : `rm ${quote(dir)}`;
    throw new StateDirError(
      'symlink',
      dir,
      `The state directory ${dir} is a symbolic link; it is not followed, as the link could point anywhere.`,
      `Remove the link (${remove}) so it is created as a real directory, ${elsewhere}.`,
    );
  }
  if (!stat.isDirectory()) {
    const move =
      platform === 'win32'
        ? `Rename-Item ${quote(dir)} ${quote(`${path.win32.basename(dir)}.old`)}`
        : `mv ${quote(dir)} ${quote(`${dir}.old`)}`;
    throw new StateDirError(
      'not-a-directory',
      dir,
      `The state directory ${dir} exists but is not a directory.`,
      `Move it out of the way (${move}), ${elsewhere}.`,
    );
  }
  if (platform === 'win32' || uid === null) return;
  if (stat.uid !== uid) {
    throw new StateDirError(
      'foreign-owner',
      dir,
      `The state directory ${dir} belongs to uid ${stat.uid}, not to you (uid ${uid}).`,
      // Root meets this under sudo with the user's HOME kept; a user meets what a sudo run left.
      uid === 0
        ? `Run tapo-port as the user who owns it (not under sudo), ${elsewhere}.`
        : `Remove it if an earlier run as another user left it (sudo rm -r ${quote(dir)}), ${elsewhere}.`,
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    const who = [stat.mode & 0o020 ? 'its group' : null, stat.mode & 0o002 ? 'other users' : null];
    const octal = (stat.mode & 0o777).toString(8).padStart(3, '0');
    throw new StateDirError(
      'writable-by-others',
      dir,
      `The state directory ${dir} is writable by ${who.filter(Boolean).join(' and ')} (mode ${octal}).`,
      `Make it private: chmod 700 ${quote(dir)}`,
    );
  }
}

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    // ENOTDIR (a file where a parent should be) is left for mkdir to report.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
