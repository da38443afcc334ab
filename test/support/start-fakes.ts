// A fake machine for runStart: a virtual clock that moves only when start sleeps, scripted
// checks, probes, locks and dashboards, and a log of every call in order. Nothing real is
// started, bound or written.
import type { CheckData } from '../../src/check/run-check.ts';
import type {
  DashboardExit,
  LaunchedDashboard,
  StartDeps,
  StartOptions,
} from '../../src/start/start-types.ts';
import type { StopData, StopOutcome } from '../../src/stop/stop-types.ts';
import type { StatusData } from '../../src/status/run-status.ts';
import { parseHost } from '../../src/input/parse-host.ts';
import type { Owner } from '../../src/owners/owner.ts';
import type { BindProbeResult } from '../../src/system/bind-probe.ts';
import type { LockOwner } from '../../src/start/instance-lock.ts';
import type { DashboardStatusRecord } from '../../src/status/status-record.ts';
import { checkData, processOwner } from '../unit/stop/stop-fakes.ts';
import { statusRecord } from './status-record.ts';
import { answered, healthOf, noAnswer, slow } from './health.ts';
import { statusWordOf, type HealthReport } from '../../src/health/health-report.ts';
import type { LaunchContext } from '../../src/start/dashboard-environment.ts';
import type { DependencyCheckResult } from '../../src/start/dependency-check.ts';

export const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
export const LAUNCHER = { pid: 4200, startTime: '2026-11-25T09:59:59.000Z' };

export function startOptions(fields: Partial<StartOptions> = {}): StartOptions {
  return {
    requestedPort: 7777,
    host: parseHost('0.0.0.0'),
    policy: 'reuse',
    healthUrl: '/api/health',
    healthBudgetMs: 10_000,
    readyTimeoutMs: 60_000,
    dependencyCheck: false,
    launcher: LAUNCHER,
    logFile: null,
    version: '0.1.0',
    ...fields,
  };
}

/** An earlier Tapo dashboard holding the port, with the health it answered (a word, null: silent, or a whole report). */
export function dashboardOwner(pid: number, healthStatus: string | null | HealthReport, port = 7777): Owner {
  const health = healthOf(healthStatus);
  const owner = processOwner(pid, {
    name: 'python',
    commandLine: `python -m tapo_camera_mcp.web --host 0.0.0.0 --port ${port}`,
  });
  return {
    ...owner,
    kind: 'dashboard',
    description: `an earlier Tapo dashboard, python (PID ${pid}) listening on 0.0.0.0:${port}`,
    dashboard: {
      healthUrl: `http://127.0.0.1:${port}/api/health`,
      healthStatus: statusWordOf(health),
      health,
      recognizedBy: 'command-line',
    },
  };
}

/** CheckData for a port that is not free, with the owners and a summary as check says it. */
export function busy(owners: Owner[], fields: Partial<CheckData> = {}): CheckData {
  const port = fields.port ?? 7777;
  return checkData(owners, {
    port,
    status: 'in-use',
    summary: `Port ${port} is in use by ${owners[0]?.description ?? 'something'}.`,
    probe: { outcome: 'in-use', errno: 'EADDRINUSE' },
    ...fields,
  });
}

export function free(port = 7777): CheckData {
  return checkData([], { port, summary: `Port ${port} is free.` });
}

export function stopData(outcome: StopOutcome, fields: Partial<StopData> = {}): StopData {
  return {
    port: 7777,
    host: '0.0.0.0',
    dryRun: false,
    plan: { targets: [], refusals: [], nothingToStop: outcome === 'nothing-to-stop' },
    actions: [],
    forced: false,
    portFreeAfter: outcome === 'stopped' || outcome === 'nothing-to-stop',
    outcome,
    respawn: null,
    replans: 0,
    summary: `The stop ended: ${outcome}.`,
    ...fields,
  };
}

export function lockOwner(pid: number, fields: Partial<LockOwner> = {}): LockOwner {
  return {
    pid,
    startTime: '2026-11-25T09:58:00.000Z',
    port: 7777,
    host: '0.0.0.0',
    createdAt: '2026-11-25T09:58:01.000Z',
    version: '0.1.0',
    ...fields,
  };
}

/** A record another start wrote (its launcher is `launcherPid`). */
export function otherRecord(
  launcherPid: number,
  fields: Partial<DashboardStatusRecord> = {},
): DashboardStatusRecord {
  return statusRecord({
    dashboard: {
      pid: 6100,
      startTime: '2026-11-25T09:58:02.000Z',
      command: ['python', '-m', 'tapo_camera_mcp.web'],
    },
    launcher: { pid: launcherPid, startTime: '2026-11-25T09:58:00.000Z' },
    startedAt: '2026-11-25T09:58:01.000Z',
    updatedAt: '2026-11-25T09:58:05.000Z',
    ...fields,
  });
}

export function statusOf(
  record: DashboardStatusRecord | null,
  live: Partial<StatusData['live']> = {},
): StatusData {
  return {
    requestedPort: 7777,
    record,
    recordProblem: null,
    live: {
      state: 'running',
      processAlive: true,
      portAccepting: true,
      health: live.health === undefined ? 'healthy' : live.health,
      healthReport:
        live.healthReport !== undefined
          ? live.healthReport
          : healthOf(live.health === undefined ? 'healthy' : live.health),
      ...live,
    },
    summary: 'status',
  };
}

/** How one launched dashboard behaves. */
export interface DashboardScript {
  /** Virtual ms after the launch when its port accepts connections; null: never. */
  readyAfterMs: number | null;
  /** What its health URL answers once it accepts (null: no answer). */
  health: string | null;
  /** Virtual ms each health request takes before its answer (a slow endpoint). */
  healthDelayMs: number;
  /** The issues its health answer lists. */
  healthIssues: string[];
  /** When it exits by itself: once a record says `running`, at ms after launch, or never. */
  exitsAt: 'running' | number | 'never';
  exit: DashboardExit;
  /** What SIGTERM does (SIGKILL always ends it). */
  onAsk: 'exit' | 'ignore';
  lines: string[];
}

export const defaultScript: DashboardScript = {
  readyAfterMs: 300,
  health: 'healthy',
  healthDelayMs: 0,
  healthIssues: [],
  exitsAt: 'running',
  exit: { code: 0, signal: null, exitCode: 0 },
  onAsk: 'exit',
  lines: ['INFO:     Uvicorn running'],
};

export interface FakeDashboard {
  pid: number;
  port: number;
  argv: string[];
  cwd: string;
  launchedAt: number;
  script: DashboardScript;
  alive: boolean;
  terminations: ('ask' | 'kill')[];
  end(exit: DashboardExit): void;
}

export type LockAnswer =
  { acquired: true; recoveredStale?: LockOwner | null } | { acquired: false; holder: LockOwner };

const exitBySignal = (signal: string, n: number): DashboardExit => ({
  code: null,
  signal,
  exitCode: 128 + n,
});

export class FakeStartWorld {
  clock = T0;
  calls: string[] = [];
  records: DashboardStatusRecord[] = [];
  lines: { line: string; level: 'info' | 'loud' }[] = [];
  progress: string[] = [];
  sleeps: number[] = [];
  dashboards: FakeDashboard[] = [];
  releases = 0;
  lockAttempts: LockOwner[] = [];
  /** Answers per port, in order; the last one repeats. Ports not listed are free. */
  checks = new Map<number, CheckData[]>();
  /** Pre-launch probe answers in order; once used up, `bound`. */
  probes: BindProbeResult['outcome'][] = [];
  /** find-port's answer per `after`; not listed: after + 1, skipping 7778. */
  nextPorts = new Map<number, number | null>();
  stopAnswer: StopData = stopData('stopped');
  /** Lock answers in order; the last one repeats; none: acquired. */
  locks: LockAnswer[] = [];
  /** What `status` says of the requested port, asked with the virtual time. */
  status: (now: number) => StatusData = () => statusOf(null, { state: 'not-running', health: null });
  /** Scripts of the dashboards launched, in order; the last one repeats. */
  scripts: Partial<DashboardScript>[] = [];
  /** The dep named throws this error (once it is called). */
  failing: { dep: keyof StartDeps; error: Error } | null = null;
  writeRecordError: Error | null = null;
  /** What the project's dependency check does when it is asked. */
  dependencyCheck: DependencyCheckResult = { kind: 'absent' };
  /** What each launch was told (its environment's facts), in order. */
  launchContexts: LaunchContext[] = [];
  /** Per health request: the budget it was given. */
  healthBudgets: number[] = [];
  private tickers: { every: number; next: number; tick: () => void }[] = [];
  private nextPid = 5000;
  private preparedPort = 0;

  private fail(dep: keyof StartDeps): void {
    if (this.failing?.dep === dep) throw this.failing.error;
  }

  /** Moves the virtual clock on by `ms`, running the tickers that fall due on the way. */
  private pass(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      const due = this.tickers.filter((t) => t.next <= until).sort((a, b) => a.next - b.next)[0];
      if (due === undefined) break;
      this.clock = Math.max(this.clock, due.next);
      due.next += due.every;
      due.tick();
    }
    this.clock = until;
  }

  /** Ends every live dashboard whose scripted exit time has come. */
  private settle(): void {
    for (const dashboard of this.dashboards) {
      const at = dashboard.script.exitsAt;
      if (dashboard.alive && typeof at === 'number' && this.clock >= dashboard.launchedAt + at) {
        dashboard.end(dashboard.script.exit);
      }
    }
  }

  private accepting(port: number): FakeDashboard | null {
    return (
      this.dashboards.find(
        (d) =>
          d.alive &&
          d.port === port &&
          d.script.readyAfterMs !== null &&
          this.clock >= d.launchedAt + d.script.readyAfterMs,
      ) ?? null
    );
  }

  states(): string[] {
    return this.records.map((r) => r.state).filter((state, i, all) => i === 0 || all[i - 1] !== state);
  }

  lastRecord(): DashboardStatusRecord {
    const last = this.records.at(-1);
    if (last === undefined) throw new Error('no record was written');
    return last;
  }

  launched(): string[] {
    return this.calls.filter((c) => c.startsWith('launch '));
  }

  deps(): StartDeps {
    return {
      check: async (host, port) => {
        this.calls.push(`check ${port}`);
        this.fail('check');
        const answers = this.checks.get(port);
        const data = answers === undefined ? free(port) : answers.length > 1 ? answers.shift() : answers[0];
        return {
          data: { ...(data ?? free(port)), host: host.requested, address: host.address },
          warnings: [],
        };
      },
      findNextPort: async (_host, after) => {
        this.calls.push(`find-port ${after}`);
        this.fail('findNextPort');
        if (this.nextPorts.has(after)) return this.nextPorts.get(after) ?? null;
        return after + 1 === 7778 ? 7779 : after + 1;
      },
      stop: async (_host, port) => {
        this.calls.push(`stop ${port}`);
        this.fail('stop');
        return { ...this.stopAnswer, port };
      },
      probeBind: async (_host, port) => {
        this.calls.push(`probe ${port}`);
        this.fail('probeBind');
        const outcome = this.probes.shift() ?? 'bound';
        return { outcome, errno: outcome === 'bound' ? null : 'EADDRINUSE' };
      },
      acquireLock: async (self) => {
        this.calls.push('lock');
        this.lockAttempts.push(self);
        this.fail('acquireLock');
        const answer = (this.locks.length > 1 ? this.locks.shift() : this.locks[0]) ?? { acquired: true };
        if (!answer.acquired)
          return { acquired: false, lockPath: '/state/start-7777.lock', holder: answer.holder };
        return {
          acquired: true,
          lockPath: '/state/start-7777.lock',
          recoveredStale: answer.recoveredStale ?? null,
          release: () => {
            this.calls.push('release');
            this.releases += 1;
          },
        };
      },
      writeRecord: async (record) => {
        // Scripted "runs, then exits" dashboards end once start has tried to say they run.
        if (record.state === 'running') {
          for (const d of this.dashboards)
            if (d.alive && d.script.exitsAt === 'running') d.end(d.script.exit);
        }
        this.fail('writeRecord');
        if (this.writeRecordError) throw this.writeRecordError;
        this.records.push(structuredClone(record));
      },
      readStatus: async (port) => {
        this.calls.push(`status ${port}`);
        this.fail('readStatus');
        return this.status(this.clock);
      },
      prepareCommand: async (host, port) => {
        this.calls.push(`prepare ${port}`);
        this.fail('prepareCommand');
        this.preparedPort = port;
        return {
          argv: [
            '/p/venv/bin/python',
            '-m',
            'tapo_camera_mcp.web',
            '--host',
            host.requested,
            '--port',
            String(port),
          ],
          cwd: '/p',
        };
      },
      runDependencyCheck: async () => {
        this.calls.push('dependency-check');
        this.fail('runDependencyCheck');
        return this.dependencyCheck;
      },
      launch: async (argv, cwd, context) => {
        this.calls.push(`launch ${this.preparedPort}`);
        this.launchContexts.push(context);
        this.fail('launch');
        const script = {
          ...defaultScript,
          ...((this.scripts.length > 1 ? this.scripts.shift() : this.scripts[0]) ?? {}),
        };
        let resolveExit: (exit: DashboardExit) => void = () => undefined;
        const exited = new Promise<DashboardExit>((resolve) => (resolveExit = resolve));
        const dashboard: FakeDashboard = {
          pid: this.nextPid++,
          port: this.preparedPort,
          argv,
          cwd,
          launchedAt: this.clock,
          script,
          alive: true,
          terminations: [],
          end: (exit) => {
            if (!dashboard.alive) return;
            dashboard.alive = false;
            this.calls.push(`exit ${dashboard.pid} ${exit.exitCode}`);
            resolveExit(exit);
          },
        };
        this.dashboards.push(dashboard);
        this.settle();
        const launched: LaunchedDashboard = {
          pid: dashboard.pid,
          startTime: new Date(this.clock).toISOString(),
          exited,
          lastLines: () => [...script.lines],
          terminate: (mode) => {
            this.calls.push(`terminate ${mode} ${dashboard.pid}`);
            dashboard.terminations.push(mode);
            if (mode === 'kill') dashboard.end(exitBySignal('SIGKILL', 9));
            else if (script.onAsk === 'exit') dashboard.end(exitBySignal('SIGTERM', 15));
          },
        };
        return launched;
      },
      canConnect: async (address, port) => {
        this.calls.push(`connect ${address} ${port}`);
        this.fail('canConnect');
        return this.accepting(port) !== null;
      },
      fetchHealth: async (url, budgetMs) => {
        this.calls.push(`health ${url}`);
        this.healthBudgets.push(budgetMs);
        this.fail('fetchHealth');
        const port = Number(new URL(url).port);
        const dashboard = this.accepting(port);
        if (dashboard === null || dashboard.script.health === null) return noAnswer();
        const delay = dashboard.script.healthDelayMs;
        if (delay > budgetMs) {
          this.pass(budgetMs);
          return slow(budgetMs);
        }
        this.pass(delay);
        return answered(dashboard.script.health, { issues: dashboard.script.healthIssues, elapsedMs: delay });
      },
      say: (line, level) => void this.lines.push({ line, level }),
      progress: (line) => void this.progress.push(line),
      sleep: async (ms) => {
        this.sleeps.push(ms);
        this.clock += ms;
        this.settle();
      },
      now: () => this.clock,
      every: (ms, tick) => {
        const ticker = { every: ms, next: this.clock + ms, tick };
        this.tickers.push(ticker);
        return () => {
          this.tickers = this.tickers.filter((t) => t !== ticker);
        };
      },
    };
  }
}
