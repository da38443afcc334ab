// A fake machine for runStop: processes that hold the port and react to signals, containers, a
// clock that only moves when runStop sleeps, and a log of every call in order.
import type { StopDeps } from '../../../src/stop/stop-types.ts';
import type { Owner } from '../../../src/owners/owner.ts';
import { checkData, containerOwner, processOwner } from './stop-fakes.ts';

export interface FakeProcess {
  pid: number;
  startTime: string;
  ppid: number;
  parentName: string;
  holds: boolean;
  /** exit: SIGTERM ends it; ignore: only SIGKILL does; slow: exits `slowMs` after SIGTERM; respawn: its parent restarts it. */
  onTerm: 'exit' | 'ignore' | 'slow' | 'respawn';
  slowMs?: number;
  termAt?: number;
  /** respawn: the parent starts the new child this long after the old one exited. */
  respawnAfterMs?: number;
}

export class FakeStopWorld {
  clock = 1_000_000;
  procs = new Map<number, FakeProcess>();
  containers = new Map<string, { name: string; holds: boolean }>();
  calls: string[] = [];
  sleeps: number[] = [];
  progress: string[] = [];
  /** Runs before readIdentity answers: lets a test change the world at that very moment. */
  beforeIdentity: ((pid: number) => void) | null = null;
  signalError: Error | null = null;
  private nextPid = 7000;
  private pendingRespawns: { at: number; proc: FakeProcess }[] = [];

  add(proc: Partial<FakeProcess> & { pid: number }): FakeProcess {
    const full: FakeProcess = {
      startTime: `2026-01-01T10:00:00.${String(proc.pid % 1000).padStart(3, '0')}Z`,
      ppid: 500,
      parentName: 'bash',
      holds: true,
      onTerm: 'exit',
      ...proc,
    };
    this.procs.set(full.pid, full);
    return full;
  }

  private settle(): void {
    for (const pending of this.pendingRespawns.filter((r) => this.clock >= r.at)) {
      this.pendingRespawns.splice(this.pendingRespawns.indexOf(pending), 1);
      this.add({ ...pending.proc, pid: this.nextPid++, startTime: new Date(this.clock).toISOString() });
    }
    for (const proc of this.procs.values()) {
      if (
        proc.onTerm === 'slow' &&
        proc.termAt !== undefined &&
        this.clock >= proc.termAt + (proc.slowMs ?? 0)
      ) {
        this.procs.delete(proc.pid);
      }
    }
  }

  private owners(): Owner[] {
    this.settle();
    const owners: Owner[] = [];
    for (const p of this.procs.values()) {
      if (!p.holds) continue;
      owners.push(
        processOwner(p.pid, {
          startTime: p.startTime,
          ppid: p.ppid,
          parentChain: [{ pid: p.ppid, name: p.parentName }],
        }),
      );
    }
    for (const [id, c] of this.containers) {
      if (c.holds) owners.push(containerOwner({ id, name: c.name }));
    }
    return owners;
  }

  deps(): StopDeps {
    return {
      check: async () => {
        this.calls.push('check');
        return checkData(this.owners());
      },
      readIdentity: async (pid) => {
        this.beforeIdentity?.(pid);
        this.calls.push(`identity ${pid}`);
        this.settle();
        const proc = this.procs.get(pid);
        return proc ? { startTime: proc.startTime, commandLine: null } : null;
      },
      sendSignal: async (pid, signal) => {
        this.calls.push(`${signal} ${pid}`);
        if (this.signalError) throw this.signalError;
        const proc = this.procs.get(pid);
        if (!proc) return 'gone';
        if (signal === 'SIGKILL') this.procs.delete(pid);
        else if (proc.onTerm === 'exit') this.procs.delete(pid);
        else if (proc.onTerm === 'slow') proc.termAt = this.clock;
        else if (proc.onTerm === 'respawn') {
          this.procs.delete(pid);
          this.pendingRespawns.push({ at: this.clock + (proc.respawnAfterMs ?? 0), proc });
          this.settle();
        }
        return 'sent';
      },
      signalContainer: async (id, mode) => {
        this.calls.push(`docker-${mode} ${id.slice(0, 8)}`);
        const c = this.containers.get(id);
        if (c) c.holds = false;
      },
      stopWindowsService: async (name) => void this.calls.push(`stop-service ${name}`),
      windowsStop: async (pid, _startTime, mode) => {
        this.calls.push(`taskkill${mode === 'kill' ? '-force' : ''} ${pid}`);
        return 'sent';
      },
      sleep: async (ms) => {
        this.sleeps.push(ms);
        this.clock += ms;
      },
      now: () => this.clock,
      progress: (line) => void this.progress.push(line),
    };
  }
}
