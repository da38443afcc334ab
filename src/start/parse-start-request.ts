import path from 'node:path';
import { TapoError } from '../contract/error-catalogue.ts';
import { parseConfirmedTargets } from '../input/parse-confirmed-targets.ts';
import { parseHost, type BindHost } from '../input/parse-host.ts';
import { parsePort } from '../input/parse-port.ts';
import { parseSeconds } from '../input/parse-seconds.ts';
import { hasUnsafeDisplayCharacter } from '../text/display-safe.ts';
import { asTapoError, resolveStateDir } from '../status/state-dir.ts';
import type { StartPolicy } from '../status/status-record.ts';

/** `tapo-port start`, checked: every value valid, every path absolute. */
export interface StartRequest {
  port: number;
  host: BindHost;
  policy: StartPolicy;
  healthUrl: string;
  /** Per health request (readiness and reuse). */
  healthBudgetMs: number;
  readyTimeoutMs: number;
  projectDir: string;
  /** Skip the project's validate_dependencies.py (`--skip-dependency-check`). */
  skipDependencyCheck: boolean;
  logFile: string | null;
  force: boolean;
  stopTimeoutSeconds: number;
  /** With the stop policy: the holders a person confirmed (`--confirmed`); undefined: any holder. */
  confirmed: string[] | undefined;
  json: boolean;
  /** The words after `--`; null for the dashboard's default command. */
  customCommand: string[] | null;
  stateDir: string;
}

export interface StartArguments {
  port: unknown;
  host: unknown;
  onConflict: unknown;
  healthUrl: unknown;
  healthTimeout: unknown;
  readyTimeout: unknown;
  projectDir: unknown;
  skipDependencyCheck: boolean;
  logFile: unknown;
  force: boolean;
  stopTimeout: unknown;
  confirmed: unknown;
  json: boolean;
  commandWords: unknown[] | undefined;
}

const POLICIES: readonly StartPolicy[] = ['reuse', 'fail', 'next', 'stop'];

/** Pure: the raw options of `start` (strings from yargs) into a StartRequest, or a one-line usage error. */
export function parseStartRequest(
  args: StartArguments,
  context: {
    platform: NodeJS.Platform;
    env: Record<string, string | undefined>;
    cwd: string;
    homeDir: string;
  },
): StartRequest {
  const paths = context.platform === 'win32' ? path.win32 : path.posix;
  const policy = single(args.onConflict, '--on-conflict');
  if (!POLICIES.includes(policy as StartPolicy)) {
    throw new TapoError(
      'E_USAGE',
      `invalid --on-conflict ${JSON.stringify(policy)}: one of ${POLICIES.join(', ')}`,
      'reuse: exit 0 if our healthy dashboard already runs; fail: explain and exit 1; next: use the next free port; stop: stop the holder first.',
    );
  }
  const projectDirOption = optionalSingle(args.projectDir, '--project-dir');
  if (projectDirOption === '') throw new TapoError('E_USAGE', '--project-dir needs a folder path');
  const projectDirText = projectDirOption ?? context.env.TAPO_PROJECT_DIR ?? '';
  const projectDir = paths.resolve(context.cwd, projectDirText === '' ? '.' : projectDirText);
  const logFileText = optionalSingle(args.logFile, '--log-file');
  if (logFileText === '') throw new TapoError('E_USAGE', '--log-file needs a file path');
  let stateDir: string;
  try {
    stateDir = resolveStateDir({ platform: context.platform, env: context.env, homeDir: context.homeDir });
  } catch (error) {
    throw asTapoError(error);
  }
  return {
    port: parsePort(args.port),
    host: parseHost(args.host),
    policy: policy as StartPolicy,
    healthUrl: parseHealthUrl(single(args.healthUrl, '--health-url')),
    healthBudgetMs: parseSeconds(args.healthTimeout, '--health-timeout') * 1000,
    readyTimeoutMs: parseSeconds(args.readyTimeout, '--ready-timeout') * 1000,
    skipDependencyCheck: args.skipDependencyCheck,
    projectDir,
    logFile: logFileText === undefined ? null : paths.resolve(context.cwd, logFileText),
    force: args.force,
    stopTimeoutSeconds: parseSeconds(args.stopTimeout, '--stop-timeout'),
    confirmed: parseConfirmedFor(policy as StartPolicy, args.confirmed),
    json: args.json,
    customCommand: parseCommandWords(args.commandWords),
    stateDir,
  };
}

/** `--confirmed` names the holders the stop policy may stop; with another policy it would mislead. */
function parseConfirmedFor(policy: StartPolicy, raw: unknown): string[] | undefined {
  const confirmed = parseConfirmedTargets(raw);
  if (confirmed !== undefined && policy !== 'stop') {
    throw new TapoError('E_USAGE', '--confirmed works only with --on-conflict stop');
  }
  return confirmed;
}

function single(raw: unknown, option: string): string {
  if (Array.isArray(raw))
    throw new TapoError('E_USAGE', `${option} was given ${raw.length} times; give it once`);
  return typeof raw === 'string' ? raw : String(raw);
}

function optionalSingle(raw: unknown, option: string): string | undefined {
  return raw === undefined ? undefined : single(raw, option);
}

/** A path (`/api/health`) or an http(s) URL; `{host}` and `{port}` are filled in later. */
function parseHealthUrl(text: string): string {
  const bad = (why: string): TapoError =>
    new TapoError(
      'E_USAGE',
      `invalid --health-url ${JSON.stringify(text)}: ${why}`,
      'Give a path such as /api/health, or a URL such as http://127.0.0.1:{port}/api/health.',
    );
  if (text === '' || hasUnsafeDisplayCharacter(text) || /\s/.test(text))
    throw bad('empty, or has spaces or control characters');
  if (text.startsWith('/')) {
    if (text.startsWith('//')) throw bad('a path must not start with //');
    return text;
  }
  let url: URL;
  try {
    url = new URL(text.replaceAll('{host}', '127.0.0.1').replaceAll('{port}', '7777'));
  } catch {
    throw bad('not a path or a URL');
  }
  // The dashboard serves plain http on its own port; https would need its certificate trusted.
  if (url.protocol !== 'http:') throw bad('only http URLs are asked');
  return text;
}

function parseCommandWords(words: unknown[] | undefined): string[] | null {
  if (words === undefined) return null;
  const argv = words.map(String);
  if (argv.length === 0 || argv[0] === '') {
    throw new TapoError(
      'E_USAGE',
      'nothing after --: name the command to start',
      'For example: tapo-port start -- python app.py --port {port}',
    );
  }
  if (argv.some((word) => word.includes('\0')))
    throw new TapoError('E_USAGE', 'a word of the command holds a NUL character');
  return argv;
}
