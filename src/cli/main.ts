// The command: argv in, one command run, its output and exit code out. src/cli/ is the only
// folder that touches argv, stdout/stderr, signals and the exit code (with start-session.ts).
import { hideBin } from 'yargs/helpers';
import { homedir } from 'node:os';
import { errorEnvelope, successEnvelope, toAsciiJson } from '../contract/envelope.ts';
import { TapoError } from '../contract/error-catalogue.ts';
import { ExitCode } from '../contract/exit-codes.ts';
import { stopExitCodes } from '../stop/stop-exit-codes.ts';
import { parseHost } from '../input/parse-host.ts';
import { parsePort } from '../input/parse-port.ts';
import { parseConfirmedTargets } from '../input/parse-confirmed-targets.ts';
import { parsePortList } from '../input/parse-port-list.ts';
import { parseSeconds } from '../input/parse-seconds.ts';
import { projectPorts } from '../find-port/project-ports.ts';
import { toDisplayText } from '../text/display-safe.ts';
import { parseArguments, type Parsed } from './arguments.ts';

async function main(argv: string[]): Promise<void> {
  // Before the arguments are parsed (a usage error), guess from the words; after, trust yargs.
  let wantsJson = argv.some((word) => /^--json(=(true|1))?$/.test(word));
  try {
    const parsed = await parseArguments(argv);
    if (parsed.command === 'none') return; // --help or --version was printed
    wantsJson = parsed.json;
    if (parsed.command === 'check') await runCheckCommand(parsed);
    if (parsed.command === 'find-port') await runFindPortCommand(parsed);
    if (parsed.command === 'stop') await runStopCommand(parsed);
    if (parsed.command === 'start') await runStartCommand(parsed);
    if (parsed.command === 'status') await runStatusCommand(parsed);
  } catch (caught) {
    reportError(caught, wantsJson);
  }
}

async function runCheckCommand(parsed: Extract<Parsed, { command: 'check' }>): Promise<void> {
  const port = parsePort(parsed.port);
  const host = parseHost(parsed.host);
  const [{ runCheck }, { createSystemDeps }, { exitCodeForStatus }] = await Promise.all([
    import('../check/run-check.ts'),
    import('../check/check-deps.ts'),
    import('../check/port-status-exit.ts'),
  ]);
  const healthBudgetMs = parseSeconds(parsed.healthTimeout, '--health-timeout') * 1000;
  const [{ readRecordedDashboards }, { stateDirOfThisUser }] = await Promise.all([
    import('../status/recorded-dashboards.ts'),
    import('../status/state-dir.ts'),
  ]);
  const stateDir = readableStateDir(stateDirOfThisUser);
  const deps = createSystemDeps(process.platform, {
    healthBudgetMs,
    ...(stateDir !== null ? { readRecordedDashboards: () => readRecordedDashboards(stateDir) } : {}),
  });
  const { data, warnings } = await runCheck(deps, host, port);
  if (parsed.json) {
    process.stdout.write(toAsciiJson(successEnvelope('PortCheck', data, warnings)) + '\n');
  } else {
    const { renderCheckText } = await import('../check/render-check-text.ts');
    const colour = process.stdout.isTTY === true && !('NO_COLOR' in process.env);
    process.stdout.write(renderCheckText(data, warnings, { colour }));
  }
  process.exitCode = exitCodeForStatus(data.status);
}

async function runFindPortCommand(parsed: Extract<Parsed, { command: 'find-port' }>): Promise<void> {
  const start = parsePort(parsed.start, '--start');
  const end = parsed.end === undefined ? Math.min(65535, start + 100) : parsePort(parsed.end, '--end');
  if (end < start) {
    throw new TapoError('E_INVALID_PORT', `invalid --end ${end}: it is below --start ${start}`);
  }
  const host = parseHost(parsed.host);
  const exclude =
    parsed.exclude === 'none'
      ? []
      : parsed.exclude === undefined
        ? projectPorts.map((port) => ({ from: port, to: port }))
        : parsePortList(parsed.exclude);
  const [{ runFindPort }, { createFindPortDeps }] = await Promise.all([
    import('../find-port/run-find-port.ts'),
    import('../find-port/find-port-deps.ts'),
  ]);
  const { data, warnings } = await runFindPort(createFindPortDeps(), { host, start, end, exclude });
  // The number alone, for scripts: $port = tapo-port find-port
  process.stdout.write(
    parsed.json ? toAsciiJson(successEnvelope('PortSearch', data, warnings)) + '\n' : `${data.port}\n`,
  );
  process.exitCode = ExitCode.ok;
}

async function runStopCommand(parsed: Extract<Parsed, { command: 'stop' }>): Promise<void> {
  const port = parsePort(parsed.port);
  const host = parseHost(parsed.host);
  const timeoutSeconds = parseWholeNumber(parsed.timeout, '--timeout', 1, 3600);
  const pid = parsed.pid === undefined ? undefined : parseWholeNumber(parsed.pid, '--pid', 1, 4294967295);
  const container = parsed.container === undefined ? undefined : String(parsed.container);
  const confirmed = parseConfirmedTargets(parsed.confirmed);
  const [{ runStop }, { createStopDeps, readStopperContext }, { renderStopText }] = await Promise.all([
    import('../stop/run-stop.ts'),
    import('../stop/stop-deps.ts'),
    import('../stop/render-stop-text.ts'),
  ]);
  // Progress goes to stderr, timestamped, so stdout stays one JSON document (or the result).
  const progress = (line: string): void => {
    process.stderr.write(`[${new Date().toISOString()}] ${toDisplayText(line, { maxLength: 400 })}\n`);
  };
  const data = await runStop(createStopDeps({ progress }), {
    port,
    host,
    dryRun: parsed.dryRun,
    force: parsed.force,
    timeoutSeconds,
    ...(pid !== undefined ? { pid } : {}),
    ...(container !== undefined ? { container } : {}),
    ...(confirmed !== undefined ? { confirmed } : {}),
    ...(await readStopperContext()),
  });
  process.stdout.write(
    parsed.json
      ? toAsciiJson(successEnvelope('PortStop', data, [])) + '\n'
      : renderStopText(data, process.platform),
  );
  process.exitCode = stopExitCodes[data.outcome];
}

async function runStartCommand(parsed: Extract<Parsed, { command: 'start' }>): Promise<void> {
  const [{ parseStartRequest }, { runStartSession }] = await Promise.all([
    import('../start/parse-start-request.ts'),
    import('./start-session.ts'),
  ]);
  const request = parseStartRequest(parsed, {
    platform: process.platform,
    env: process.env,
    cwd: process.cwd(),
    homeDir: homedir(),
  });
  process.exitCode = await runStartSession(request, {
    stdout: process.stdout,
    stderr: process.stderr,
  });
}

async function runStatusCommand(parsed: Extract<Parsed, { command: 'status' }>): Promise<void> {
  const port = parsePort(parsed.port);
  const healthBudgetMs = parseSeconds(parsed.healthTimeout, '--health-timeout') * 1000;
  const [{ runStatus, statusExitCode }, { renderStatusText }, { createStatusDeps }, { stateDirOfThisUser }] =
    await Promise.all([
      import('../status/run-status.ts'),
      import('../status/render-status-text.ts'),
      import('../status/status-deps.ts'),
      import('../status/state-dir.ts'),
    ]);
  const data = await runStatus(createStatusDeps(stateDirOfThisUser(), undefined, healthBudgetMs), port);
  process.stdout.write(
    parsed.json ? toAsciiJson(successEnvelope('DashboardStatus', data, [])) + '\n' : renderStatusText(data),
  );
  process.exitCode = statusExitCode(data);
}

/** The state directory for reading records, or null when it cannot be named (check then goes without). */
function readableStateDir(resolve: () => string): string | null {
  try {
    return resolve();
  } catch {
    return null;
  }
}

/** A whole decimal number within bounds, like --port (no hex, no fractions, no signs). */
function parseWholeNumber(raw: unknown, optionName: string, min: number, max: number): number {
  const text = typeof raw === 'string' ? raw : String(raw);
  const value = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new TapoError(
      'E_USAGE',
      `invalid ${optionName} ${JSON.stringify(text)}: a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function reportError(caught: unknown, json: boolean): void {
  const error =
    caught instanceof TapoError
      ? caught
      : new TapoError('E_UNEXPECTED', caught instanceof Error ? caught.message : String(caught));
  if (json) {
    process.stdout.write(
      toAsciiJson(errorEnvelope('Error', { code: error.code, message: error.message, hint: error.hint })) +
        '\n',
    );
  }
  // One line of printable ASCII, whatever the user typed into the bad value.
  const oneLine = (text: string): string =>
    toDisplayText(text.replace(/\s*[\r\n]+\s*/g, ' '), { maxLength: 400 });
  process.stderr.write(`tapo-port: ${oneLine(error.message)} (${error.code}) Hint: ${oneLine(error.hint)}\n`);
  if (process.env.TAPO_DEBUG === '1' && caught instanceof Error && caught.stack)
    process.stderr.write(caught.stack + '\n');
  process.exitCode = error.exitCode;
}

void main(hideBin(process.argv)).catch(() => {
  process.exitCode = ExitCode.unexpected;
});
