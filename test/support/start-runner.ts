// Real processes for the `tapo-port start` / `status` tests: the built bundle in the background
// (output collected, exit awaited, signals sent), the fake dashboard and foreign holders on real
// ports, the truth read back (TCP connect, /api/health, the status record, /proc), and cleanup
// that finds every process these helpers started (and everything they started in turn) by a
// marker in its environment, so nothing outlives a failed assertion.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach } from 'node:test';
import type { DashboardStatusRecord } from '../../src/status/status-record.ts';
import { coreCommand } from './core-command.ts';
import { sleep, waitFor } from './wait.ts';

export { snapshotBundle } from './core-command.ts';
export { sleep, waitFor } from './wait.ts';

export const fixtureProjectDir = path.join(import.meta.dirname, '..', 'fixtures', 'fake-dashboard');
export const holdPortScript = path.join(import.meta.dirname, '..', 'fixtures', 'holders', 'hold_port.py');

/**
 * Every process started here carries MARKER_NAME=marker in its environment, and tapo-port passes
 * its environment on to the dashboard, so /proc/<pid>/environ finds all of them.
 */
export const MARKER_NAME = 'TAPO_TEST_MARKER';
export const marker = `start-${process.pid}-${randomBytes(6).toString('hex')}`;
/** Names one run (one tapo-port, one holder) among the marked processes. */
const RUN_NAME = 'TAPO_TEST_RUN';
let runCounter = 0;

const DEFAULT_WAIT_MS = 20_000;

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartRun {
  child: ChildProcess;
  pid: number;
  readonly runId: string;
  readonly stdout: string;
  readonly stderr: string;
  /** Settles once the process exited and its output is drained. */
  exit: Promise<ExitResult>;
  readonly exited: boolean;
  /** The first complete line of the stream (both by default) that matches, waiting for it. */
  waitForLine(
    pattern: RegExp,
    options?: { stream?: 'stdout' | 'stderr' | 'both'; timeoutMs?: number },
  ): Promise<RegExpMatchArray>;
  /** The exit, or an error with the output when it does not come in time. */
  waitForExit(timeoutMs?: number): Promise<ExitResult>;
  sendSignal(signal: NodeJS.Signals): void;
  /** SIGKILL to tapo-port and every process of this run (the dashboard, its group, a holder it started). */
  killTree(): Promise<void>;
}

export interface StartRunOptions {
  stateDir: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Defaults to the built bundle (or the executable of TAPO_TEST_CORE). */
  bundle?: string;
}

/** `node dist/tapo-port.cjs <args>` (or the executable under test) in the background, stdio piped, NO_COLOR, the marker set. */
export function startTapo(args: string[], options: StartRunOptions): StartRun {
  const [file = process.execPath, ...prefix] = coreCommand(options.bundle);
  const runId = `tapo-${++runCounter}`;
  const child = spawn(file, [...prefix, ...args], {
    cwd: options.cwd ?? fixtureProjectDir,
    env: {
      ...process.env,
      NO_COLOR: '1',
      TAPO_STATE_DIR: options.stateDir,
      [MARKER_NAME]: marker,
      [RUN_NAME]: runId,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('tapo-port did not start');
  const output = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
    notify();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
    notify();
  });
  let exited = false;
  const exit = new Promise<ExitResult>((resolve) => {
    child.once('close', (code, signal) => {
      exited = true;
      resolve({ code, signal });
      notify();
    });
  });
  child.once('error', () => undefined);

  const run: StartRun = {
    child,
    pid,
    runId,
    get stdout() {
      return output.stdout;
    },
    get stderr() {
      return output.stderr;
    },
    exit,
    get exited() {
      return exited;
    },
    waitForLine(pattern, { stream = 'both', timeoutMs = DEFAULT_WAIT_MS } = {}) {
      const find = (): RegExpMatchArray | null => {
        const texts =
          stream === 'stdout'
            ? [output.stdout]
            : stream === 'stderr'
              ? [output.stderr]
              : [output.stdout, output.stderr];
        for (const text of texts) {
          // Complete lines only: a line still being written could match a prefix of the pattern.
          const lines = text.split('\n');
          lines.pop();
          for (const line of lines) {
            const match = line.match(pattern);
            if (match) return match;
          }
        }
        return null;
      };
      return new Promise((resolve, reject) => {
        const done = (): void => {
          listeners.delete(check);
          clearTimeout(timer);
        };
        const check = (): void => {
          const match = find();
          if (match) {
            done();
            resolve(match);
          } else if (exited) {
            done();
            reject(new Error(`tapo-port exited before printing ${pattern}\n${outputOf(run)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matched ${pattern} within ${timeoutMs} ms\n${outputOf(run)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async waitForExit(timeoutMs = DEFAULT_WAIT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`tapo-port did not exit within ${timeoutMs} ms\n${outputOf(run)}`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([exit, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    sendSignal(signal) {
      process.kill(pid, signal);
    },
    async killTree() {
      killMarked((env) => env.get(RUN_NAME) === runId);
      if (!exited) {
        try {
          child.kill('SIGKILL');
        } catch {
          // gone
        }
        await exit;
      }
    },
  };
  return run;
}

/** The run's output, for an assertion message. */
export function outputOf(run: { stdout: string; stderr: string }): string {
  return `--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}

// --- holders on the port ------------------------------------------------------------------------

export interface PortHolder {
  child: ChildProcess;
  pid: number;
  exit: Promise<ExitResult>;
  readonly exited: boolean;
  stop(): Promise<void>;
}

/** A foreign holder: test/fixtures/holders/hold_port.py, resolved once it listens. */
export function startForeignHolder(
  port: number,
  host = '127.0.0.1',
  options: { ignoreSigterm?: boolean } = {},
): Promise<PortHolder> {
  const args = [holdPortScript, '--host', host, '--port', String(port)];
  if (options.ignoreSigterm) args.push('--ignore-sigterm');
  return spawnHolder('python3', args, {}, /^ready \d+/);
}

/** An earlier dashboard: the fake `python3 -m tapo_camera_mcp.web`, resolved once its health answers. */
export async function startEarlierDashboard(
  port: number,
  host = '127.0.0.1',
  env: Record<string, string> = {},
): Promise<PortHolder> {
  const holder = await spawnHolder(
    'python3',
    ['-m', 'tapo_camera_mcp.web', '--host', host, '--port', String(port)],
    env,
    /^fake-dashboard: serving on /,
  );
  try {
    await waitForHealth(port, host === '0.0.0.0' ? '127.0.0.1' : host);
  } catch (error) {
    await holder.stop();
    throw error;
  }
  return holder;
}

function spawnHolder(
  file: string,
  args: string[],
  env: Record<string, string>,
  readyLine: RegExp,
): Promise<PortHolder> {
  const child = spawn(file, args, {
    cwd: fixtureProjectDir,
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      [MARKER_NAME]: marker,
      [RUN_NAME]: `holder-${++runCounter}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  const exit = new Promise<ExitResult>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  const holder: PortHolder = {
    child,
    pid: child.pid ?? -1,
    exit,
    get exited() {
      return exited;
    },
    async stop() {
      if (!exited) {
        try {
          child.kill('SIGKILL');
        } catch {
          // gone
        }
        await exit;
      }
    },
  };
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      void holder.stop();
      reject(new Error(`holder ${args.join(' ')} did not get ready: ${stdout}${stderr}`));
    }, DEFAULT_WAIT_MS);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.split('\n').some((line) => readyLine.test(line))) {
        clearTimeout(timer);
        resolve(holder);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`holder exited (${code ?? signal}) before it was ready: ${stdout}${stderr}`));
    });
  });
}

// --- the truth ------------------------------------------------------------------------------------

/** The parsed /api/health answer at host:port, or null (no connection, not JSON). Never pooled. */
export function fetchHealth(
  port: number,
  host = '127.0.0.1',
  pathname = '/api/health',
): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const request = http.get(
      { host, port, path: pathname, agent: false, timeout: 10_000, headers: { Connection: 'close' } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          try {
            const value: unknown = JSON.parse(body);
            resolve(typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null);
          } catch {
            resolve(null);
          }
        });
        response.on('error', () => resolve(null));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });
}

/** Polls /api/health until it answers JSON; throws after timeoutMs. */
export async function waitForHealth(
  port: number,
  host = '127.0.0.1',
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await fetchHealth(port, host);
    if (health !== null) return health;
    if (Date.now() > deadline) throw new Error(`no health answer on ${host}:${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A TCP connection to host:port is accepted. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** TCP sockets whose local port is this one (LISTEN only, or in any state), from /proc/net. */
function tcpSockets(port: number, listenOnly: boolean): number {
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local === undefined || (listenOnly && fields[3] !== '0A')) continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) count += 1;
    }
  }
  return count;
}

/** TCP sockets in LISTEN on this port (any address, IPv4 and IPv6), from /proc/net. */
export function listenersOn(port: number): number {
  return tcpSockets(port, true);
}

/** A real bind on host:port succeeds (and is released at once). */
export function canBind(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const usedPorts = new Set<number>();

/** The top of the range ports are picked from: below the kernel's ephemeral ports when it can. */
function pickRangeTop(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 25_000) return Math.min(40_000, low);
  } catch {
    // not Linux
  }
  return 40_000;
}

/**
 * A port in 20000-40000 (below the ephemeral range, where outgoing connections take ports) that no
 * test of this process used yet, no TCP socket uses in any state, and that binds on 0.0.0.0 and
 * 127.0.0.1; with `spare`, the next `spare` ports are free as well (for `next`, which moves to
 * the port above).
 */
export async function pickPort(spare = 0): Promise<number> {
  const top = pickRangeTop();
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * (top - 20_000 - spare));
    const candidates = Array.from({ length: spare + 1 }, (_, i) => port + i);
    if (candidates.some((p) => usedPorts.has(p) || tcpSockets(p, false) > 0)) continue;
    let ok = true;
    for (const p of candidates) {
      if (!(await canBind(p, '0.0.0.0')) || !(await canBind(p, '127.0.0.1'))) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    for (const p of candidates) usedPorts.add(p);
    return port;
  }
  throw new Error('no free port found in 20000-40000');
}

/** The status record `dashboard-<port>.json`, or null when there is none. */
export function readRecord(stateDir: string, requestedPort: number): DashboardStatusRecord | null {
  const file = path.join(stateDir, `dashboard-${requestedPort}.json`);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as DashboardStatusRecord;
}

export function lockPath(stateDir: string, requestedPort: number): string {
  return path.join(stateDir, `start-${requestedPort}.lock`);
}

/** A fresh private state directory (removed by removeStateDirs). */
const stateDirs: string[] = [];
export function makeStateDir(prefix = 'tapo-start-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  stateDirs.push(dir);
  // tapo-port refuses a state directory others can write to; mkdtemp makes it 0700 already.
  return dir;
}
export function removeStateDirs(): void {
  for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The PID is a live process (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once the PID is gone; throws after timeoutMs. */
export async function waitUntilGone(pid: number, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`PID ${pid} is still alive after ${timeoutMs} ms`);
    await sleep(20);
  }
}

// --- processes by marker -------------------------------------------------------------------------

export interface MarkedProcess {
  pid: number;
  cmdline: string;
  env: Map<string, string>;
}

/** Live processes whose environment carries MARKER_NAME=<value> (default: this file's marker). */
export function markedProcesses(value = marker): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let environ: string;
    let cmdline: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    const env = new Map<string, string>();
    for (const entry of environ.split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) env.set(entry.slice(0, at), entry.slice(at + 1));
    }
    if (env.get(MARKER_NAME) !== value || !isAlive(pid)) continue;
    found.push({ pid, cmdline: cmdline.split('\0').join(' ').trim(), env });
  }
  return found;
}

/** Dashboards (fake or real command line) among the marked processes, optionally on one port. */
export function markedDashboards(port?: number): MarkedProcess[] {
  return markedProcesses().filter(
    (p) =>
      /tapo_camera_mcp\.web/.test(p.cmdline) && (port === undefined || p.cmdline.includes(`--port ${port}`)),
  );
}

/** SIGKILL to every marked process that `select` picks, and to the group it leads. */
export function killMarked(select: (env: Map<string, string>) => boolean = () => true): number[] {
  const killed: number[] = [];
  for (const proc of markedProcesses()) {
    if (!select(proc.env)) continue;
    for (const target of [-proc.pid, proc.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or already gone
      }
    }
    killed.push(proc.pid);
  }
  return killed;
}

/** Kills everything these helpers started and waits until it is gone. */
export async function killAllMarked(): Promise<void> {
  const killed = killMarked();
  for (const pid of killed) await waitUntilGone(pid, 5000).catch(() => undefined);
}

/** A PID that belonged to a process that has exited (and was reaped). */
export async function deadPid(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  const pid = child.pid ?? -1;
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

/** Random text for file names and markers. */
export function token(): string {
  return randomBytes(4).toString('hex');
}

/** Resolves once /proc/<pid> is gone altogether (a zombie reaped by whoever is its parent now). */
export async function waitUntilReaped(pid: number, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  await waitFor(`PID ${pid} to be reaped`, () => !existsSync(`/proc/${pid}`), timeoutMs);
}

/** The line `start` prints once the dashboard answers: URL, dashboard PID and health. */
export const READY_LINE = /Dashboard ready at (\S+) in [\d.]+ s \(PID (\d+), health: (.+)\)\. Press Ctrl\+C/;

export interface StartFixtures {
  /** `tapo-port start --port P --host H --project-dir <fake dashboard> ...extra`, killed after the test. */
  start(
    port: number,
    stateDir: string,
    extra?: string[],
    env?: Record<string, string>,
    host?: string | null,
  ): StartRun;
  /** A holder stopped after the test. */
  track(holder: PortHolder): PortHolder;
  /** More clean-up after each test (before the marked processes are killed). */
  afterEachTest(cleanup: () => void | Promise<void>): void;
}

/**
 * Registers the clean-up every start test file needs (its starts, its holders, every marked
 * process after each test; the state directories at the end) and returns the helpers that feed it.
 */
export function useStartFixtures(): StartFixtures {
  const runs: StartRun[] = [];
  const holders: PortHolder[] = [];
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(runs.splice(0).map((run) => run.killTree()));
    await Promise.all(holders.splice(0).map((holder) => holder.stop()));
    for (const cleanup of cleanups) await cleanup();
    await killAllMarked();
  });
  after(async () => {
    await killAllMarked();
    removeStateDirs();
  });
  return {
    start: (port, stateDir, extra = [], env = {}, host = '127.0.0.1') => {
      const args = ['start', '--port', String(port), ...(host === null ? [] : ['--host', host])];
      args.push('--project-dir', fixtureProjectDir, ...extra);
      const run = startTapo(args, { stateDir, env });
      runs.push(run);
      return run;
    },
    track: (holder) => {
      holders.push(holder);
      return holder;
    },
    afterEachTest: (cleanup) => {
      cleanups.push(cleanup);
    },
  };
}
