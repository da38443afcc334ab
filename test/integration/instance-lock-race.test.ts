// Real processes racing for the start lock: eight racers aim at the same millisecond, on an
// empty directory, on a lock left by a process that exited, and on a lock whose PID now belongs
// to another process. Every round must end with exactly one holder, named by all the others.
// Aiming is not proof that they met, so a round counts only when it shows a contest: a loser
// that found no record of the winner in the lock right before its own attempt (it began before
// the winner was done) and still lost to it. Each test needs its number of such rounds.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { after, before, describe, it, type TestContext } from 'node:test';
import { lockPathFor, type LockOwner } from '../../src/start/instance-lock.ts';

const racerScript = path.join(import.meta.dirname, '..', 'fixtures', 'lock-racer.ts');
const RACERS = 8;
const PORT = 7777;

interface Reply {
  pid: number;
  acquired?: boolean;
  holderPid?: number;
  recoveredStalePid?: number | null;
  /** What the lock held right before this racer's attempt: a PID, null (no lock) or 'unreadable'. */
  lockOnEntry?: number | null | 'unreadable';
  error?: string;
}

/** Rounds that may not show a contest (the racers missed each other) before a test fails. */
const ATTEMPTS_PER_ROUND = 3;

class Racer {
  readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly waiting: ((reply: Reply) => void)[] = [];
  readonly ready: Promise<Reply>;

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', racerScript], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.ready = this.next();
    createInterface({ input: this.child.stdout }).on('line', (line) =>
      this.waiting.shift()?.(JSON.parse(line)),
    );
  }

  send(command: object): Promise<Reply> {
    const reply = this.next();
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return reply;
  }

  private next(): Promise<Reply> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

const linux = process.platform === 'linux';
if (!linux) console.log('SKIPPED: the lock race reads start times from /proc (Linux only)');

describe('instance lock race between real processes', { skip: !linux && 'needs /proc' }, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tapo-lock-race-'));
  const racers: Racer[] = [];
  let round = 0;

  before(async () => {
    for (let i = 0; i < RACERS; i++) racers.push(new Racer());
    await Promise.all(racers.map((r) => r.ready));
  });
  after(() => {
    for (const racer of racers) racer.child.stdin.end();
    rmSync(root, { recursive: true, force: true });
  });

  /**
   * One race on a fresh directory (with `existing` as the lock already there); returns the
   * winner's reply and how many losers contested it (began before its record was in the lock).
   */
  async function race(existing: LockOwner | null): Promise<{ winner: Reply; contenders: number }> {
    const dirPath = path.join(root, `round-${++round}`);
    mkdirSync(dirPath, { mode: 0o700 });
    if (existing) writeFileSync(lockPathFor(dirPath, PORT), JSON.stringify(existing));
    const at = Date.now() + 40;
    const replies = await Promise.all(
      racers.map((r) => r.send({ op: 'acquire', dir: dirPath, port: PORT, at })),
    );
    for (const reply of replies) assert.equal(reply.error, undefined, reply.error);
    const winners = replies.filter((r) => r.acquired);
    assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(replies)}`);
    const [winner] = winners;
    assert.ok(winner);
    const losers = replies.filter((r) => !r.acquired);
    for (const loser of losers) {
      assert.equal(loser.holderPid, winner.pid, `round ${round}: a loser names the winner`);
    }
    const contenders = losers.filter((loser) => loser.lockOnEntry !== winner.pid).length;
    const record = JSON.parse(readFileSync(lockPathFor(dirPath, PORT), 'utf8')) as LockOwner;
    assert.equal(record.pid, winner.pid);
    assert.equal(existsSync(`${lockPathFor(dirPath, PORT)}.recover`), false, 'no guard left behind');

    await Promise.all(racers.map((r) => r.send({ op: 'release' })));
    assert.deepEqual(readdirSync(dirPath), [], 'release removed the lock');
    return { winner, contenders };
  }

  /**
   * Runs rounds until `wanted` of them were contested (every round's result is checked, contested
   * or not); fails when the racers missed each other too often to prove anything.
   */
  async function contestedRounds(
    t: TestContext,
    wanted: number,
    round: () => Promise<{ contenders: number }>,
  ): Promise<void> {
    const seen: number[] = [];
    while (seen.filter((n) => n > 0).length < wanted && seen.length < wanted * ATTEMPTS_PER_ROUND) {
      seen.push((await round()).contenders);
    }
    t.diagnostic(`contenders per round: ${seen.join(' ')}`);
    assert.equal(
      seen.filter((n) => n > 0).length,
      wanted,
      `only ${seen.filter((n) => n > 0).length} of ${seen.length} rounds were contested: the racers did not meet`,
    );
  }

  it('exactly one of 8 acquires an empty directory, 20 contested rounds', async (t) => {
    await contestedRounds(t, 20, async () => {
      const { winner, contenders } = await race(null);
      assert.equal(winner.recoveredStalePid, null);
      return { contenders };
    });
  });

  it('exactly one of 8 takes over the lock of a process that exited, 10 contested rounds', async (t) => {
    await contestedRounds(t, 10, async () => {
      const gone = spawn('sleep', ['30'], { stdio: 'ignore' });
      const pid = gone.pid;
      assert.ok(pid !== undefined, 'sleep started');
      const startTime = startTimeOf(pid);
      await new Promise((resolve) => {
        gone.once('exit', resolve);
        gone.kill('SIGKILL');
      });
      const stale: LockOwner = {
        pid,
        startTime,
        port: PORT,
        host: '127.0.0.1',
        createdAt: new Date().toISOString(),
        version: 'gone',
      };
      const { winner, contenders } = await race(stale);
      assert.equal(winner.recoveredStalePid, pid);
      return { contenders };
    });
  });

  it('exactly one of 8 takes over a lock whose PID now belongs to another process, 5 contested rounds', async (t) => {
    await contestedRounds(t, 5, async () => {
      const reused: LockOwner = {
        pid: process.pid,
        startTime: `${startTimeOf(process.pid)}0`,
        port: PORT,
        host: '127.0.0.1',
        createdAt: new Date().toISOString(),
        version: 'reused',
      };
      const { winner, contenders } = await race(reused);
      assert.equal(winner.recoveredStalePid, process.pid);
      return { contenders };
    });
  });
});
