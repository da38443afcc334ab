// acquireInstanceLock against real temp directories with a fake process table: who holds the
// lock, when a lock is stale, what is never followed or removed, and what release leaves alone.
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  acquireInstanceLock,
  isStaleHolder,
  lockPathFor,
  parseLockOwner,
  type InstanceLockDeps,
  type LockOwner,
  type LockResult,
} from '../../../src/start/instance-lock.ts';

const root = mkdtempSync(path.join(tmpdir(), 'tapo-instance-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function freshDir(): string {
  const dir = path.join(root, `case-${++n}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

const PORT = 7777;

function owner(pid: number, fields: Partial<LockOwner> = {}): LockOwner {
  return {
    pid,
    startTime: `start-${pid}`,
    port: PORT,
    host: '0.0.0.0',
    createdAt: `2024-05-01T10:00:00.${String(pid % 1000).padStart(3, '0')}Z`,
    version: '0.1.0',
    ...fields,
  };
}

/** A process table: PID -> start time; a PID not in it does not exist. */
function fakeDeps(
  table: Record<number, string | null>,
  extra: Partial<InstanceLockDeps> = {},
): InstanceLockDeps {
  return {
    readIdentity: async (pid) => (pid in table ? { startTime: table[pid] ?? null } : null),
    ...extra,
  };
}

/** A clock that only moves when the code sleeps, starting at the real time (files have real mtimes). */
function fakeClock(onSleep: (slept: number) => void = () => undefined) {
  let now = Date.now();
  let slept = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      slept += ms;
      onSleep(slept);
    },
    slept: () => slept,
  };
}

function readLock(dir: string): unknown {
  return JSON.parse(readFileSync(lockPathFor(dir, PORT), 'utf8'));
}

function assertAcquired(result: LockResult): asserts result is Extract<LockResult, { acquired: true }> {
  assert.equal(result.acquired, true, JSON.stringify(result));
}

function assertHeld(result: LockResult): asserts result is Extract<LockResult, { acquired: false }> {
  assert.equal(result.acquired, false, JSON.stringify(result));
}

describe('lockPathFor', () => {
  it('names one lock per port in the directory', () => {
    assert.equal(lockPathFor('/state', 7777), path.join('/state', 'start-7777.lock'));
  });
  it('refuses what is not a port', () => {
    assert.throws(() => lockPathFor('/state', 7777.5), RangeError);
    assert.throws(() => lockPathFor('/state', Number.NaN), RangeError);
    assert.throws(() => lockPathFor('/state', 65536), RangeError);
  });
});

describe('parseLockOwner', () => {
  it('reads a record', () => {
    assert.deepEqual(parseLockOwner(JSON.stringify(owner(42))), owner(42));
    assert.deepEqual(
      parseLockOwner(JSON.stringify(owner(42, { startTime: null }))),
      owner(42, { startTime: null }),
    );
  });
  for (const [name, text] of [
    ['empty (torn write)', ''],
    ['truncated', JSON.stringify(owner(42)).slice(0, 20)],
    ['not an object', '42'],
    ['null', 'null'],
    ['PID 0', JSON.stringify(owner(42, { pid: 0 }))],
    ['PID as a string', JSON.stringify({ ...owner(42), pid: '42' })],
    ['no createdAt', JSON.stringify({ ...owner(42), createdAt: undefined })],
  ]) {
    it(`rejects ${name}`, () => assert.equal(parseLockOwner(text ?? ''), null));
  }
});

describe('isStaleHolder', () => {
  const cases: [string, LockOwner, { startTime: string | null } | null, boolean][] = [
    ['PID gone', owner(42), null, true],
    ['same start time', owner(42), { startTime: 'start-42' }, false],
    ['PID reused (start time differs)', owner(42), { startTime: 'other' }, true],
    ['start time unreadable now', owner(42), { startTime: null }, false],
    ['no start time recorded', owner(42, { startTime: null }), { startTime: 'any' }, false],
    [
      'a clock step of a second (Linux btime moved)',
      owner(42, { startTime: '2026-11-25T10:00:00.000Z' }),
      { startTime: '2026-11-25T10:00:01.000Z' },
      false,
    ],
    [
      'started a minute later: another process',
      owner(42, { startTime: '2026-11-25T10:00:00.000Z' }),
      { startTime: '2026-11-25T10:01:00.000Z' },
      true,
    ],
  ];
  for (const [name, recorded, identity, stale] of cases) {
    it(`${name}: ${stale ? 'stale' : 'alive'}`, () => assert.equal(isStaleHolder(recorded, identity), stale));
  }
});

describe('acquireInstanceLock', () => {
  it('acquires on an empty directory: the record, 0600, no guard left', async () => {
    const dir = freshDir();
    const result = await acquireInstanceLock(dir, owner(100), fakeDeps({}));
    assertAcquired(result);
    assert.equal(result.lockPath, path.join(dir, 'start-7777.lock'));
    assert.equal(result.recoveredStale, null);
    assert.deepEqual(readLock(dir), owner(100));
    if (process.platform !== 'win32') assert.equal(statSync(result.lockPath).mode & 0o777, 0o600);
    assert.equal(existsSync(`${result.lockPath}.recover`), false);
  });

  it('a second start sees the live first as holder, and the lock is unchanged', async () => {
    const dir = freshDir();
    assertAcquired(await acquireInstanceLock(dir, owner(100), fakeDeps({})));
    const second = await acquireInstanceLock(
      dir,
      owner(200),
      fakeDeps({ 100: 'start-100', 200: 'start-200' }),
    );
    assertHeld(second);
    assert.deepEqual(second.holder, owner(100));
    assert.deepEqual(readLock(dir), owner(100));
  });

  it('another port is another lock', async () => {
    const dir = freshDir();
    assertAcquired(await acquireInstanceLock(dir, owner(100), fakeDeps({})));
    assertAcquired(
      await acquireInstanceLock(dir, owner(200, { port: 7779 }), fakeDeps({ 100: 'start-100' })),
    );
  });

  it('takes over a lock whose process is gone, and says whose it was', async () => {
    const dir = freshDir();
    writeFileSync(lockPathFor(dir, PORT), JSON.stringify(owner(100)));
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({ 200: 'start-200' }));
    assertAcquired(result);
    assert.deepEqual(result.recoveredStale, owner(100));
    assert.deepEqual(readLock(dir), owner(200));
    assert.deepEqual(readdirSync(dir), ['start-7777.lock'], 'no guard or temporary file left');
    if (process.platform !== 'win32') assert.equal(statSync(result.lockPath).mode & 0o777, 0o600);
  });

  it('takes over a lock whose PID now belongs to another process (start time differs)', async () => {
    const dir = freshDir();
    writeFileSync(lockPathFor(dir, PORT), JSON.stringify(owner(100)));
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({ 100: 'a later start' }));
    assertAcquired(result);
    assert.deepEqual(result.recoveredStale, owner(100));
    assert.deepEqual(readLock(dir), owner(200));
  });

  it('does not take over a live holder whose start time cannot be read', async () => {
    const dir = freshDir();
    writeFileSync(lockPathFor(dir, PORT), JSON.stringify(owner(100)));
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({ 100: null }));
    assertHeld(result);
    assert.deepEqual(result.holder, owner(100));
  });

  it('a holder recorded without a start time is alive while its PID exists', async () => {
    const dir = freshDir();
    writeFileSync(lockPathFor(dir, PORT), JSON.stringify(owner(100, { startTime: null })));
    assertHeld(await acquireInstanceLock(dir, owner(200), fakeDeps({ 100: 'whatever' })));
    assertAcquired(await acquireInstanceLock(dir, owner(200), fakeDeps({})));
  });

  it('refuses a symlink at the lock path: not followed, not removed, target untouched', async () => {
    const dir = freshDir();
    const target = path.join(freshDir(), 'precious.txt');
    writeFileSync(target, 'precious\n');
    const lockPath = lockPathFor(dir, PORT);
    symlinkSync(target, lockPath);
    await assert.rejects(acquireInstanceLock(dir, owner(200), fakeDeps({})), (error: Error) => {
      assert.ok(error.message.includes(lockPath), error.message);
      assert.match(error.message, /symbolic link; it is neither followed nor removed/);
      return true;
    });
    assert.equal(readFileSync(target, 'utf8'), 'precious\n');
    assert.ok(lstatSync(lockPath).isSymbolicLink());
  });

  it('refuses a dangling symlink without creating its target', async () => {
    const dir = freshDir();
    const target = path.join(freshDir(), 'not-there');
    symlinkSync(target, lockPathFor(dir, PORT));
    await assert.rejects(acquireInstanceLock(dir, owner(200), fakeDeps({})), /symbolic link/);
    assert.equal(existsSync(target), false);
  });

  it('refuses a directory at the lock path', async () => {
    const dir = freshDir();
    mkdirSync(lockPathFor(dir, PORT));
    await assert.rejects(acquireInstanceLock(dir, owner(200), fakeDeps({})), /not a regular file/);
  });

  it('refuses a symlink at the guard path and leaves the stale lock', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, JSON.stringify(owner(100)));
    const target = path.join(freshDir(), 'precious.txt');
    writeFileSync(target, 'precious\n');
    symlinkSync(target, `${lockPath}.recover`);
    await assert.rejects(acquireInstanceLock(dir, owner(200), fakeDeps({})), /guard file .*symbolic link/);
    assert.equal(readFileSync(target, 'utf8'), 'precious\n');
    assert.deepEqual(readLock(dir), owner(100));
  });

  it('takes over an unreadable lock older than 5 s (its writer died mid-write)', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, '{"pid": 1');
    const old = (Date.now() - 6_000) / 1000;
    utimesSync(lockPath, old, old);
    const clock = fakeClock();
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({}, clock));
    assertAcquired(result);
    assert.equal(result.recoveredStale, null);
    assert.equal(clock.slept(), 0, 'no wait for an old one');
    assert.deepEqual(readLock(dir), owner(200));
  });

  it('waits on a young unreadable lock, and takes it over once it is 5 s old', async () => {
    const dir = freshDir();
    writeFileSync(lockPathFor(dir, PORT), '');
    const clock = fakeClock();
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({}, clock));
    assertAcquired(result);
    assert.equal(result.recoveredStale, null);
    assert.ok(clock.slept() >= 5_000 && clock.slept() < 5_500, `slept ${clock.slept()} ms`);
    assert.deepEqual(readLock(dir), owner(200));
  });

  it('a young unreadable lock whose writer finishes is held by that writer', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, '');
    const clock = fakeClock((slept) => {
      if (slept >= 20) writeFileSync(lockPath, JSON.stringify(owner(100)));
    });
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({ 100: 'start-100' }, clock));
    assertHeld(result);
    assert.deepEqual(result.holder, owner(100));
    assert.ok(clock.slept() < 100);
  });

  it('an unreadable lock that never ages (mtime in the future) is reported as held by an unknown owner', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, 'garbage');
    const future = (Date.now() + 3_600_000) / 1000;
    utimesSync(lockPath, future, future);
    const clock = fakeClock();
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({}, clock));
    assertHeld(result);
    assert.equal(result.holder.pid, 0);
    assert.equal(result.holder.startTime, null);
    assert.equal(result.holder.port, PORT);
    assert.ok(clock.slept() >= 12_000 && clock.slept() < 13_000, `slept ${clock.slept()} ms`);
    assert.equal(readFileSync(lockPath, 'utf8'), 'garbage');
  });

  it('a lock that is valid JSON but not a record counts as unreadable', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, JSON.stringify({ pid: 'x' }));
    const old = (Date.now() - 6_000) / 1000;
    utimesSync(lockPath, old, old);
    assertAcquired(await acquireInstanceLock(dir, owner(200), fakeDeps({})));
  });

  it('waits while another start holds a fresh guard, then sees its lock', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, JSON.stringify(owner(100)));
    writeFileSync(`${lockPath}.recover`, '300');
    // The other start (PID 300) finishes its takeover while we wait.
    const clock = fakeClock((slept) => {
      if (slept >= 30 && existsSync(`${lockPath}.recover`)) {
        writeFileSync(lockPath, JSON.stringify(owner(300)));
        rmSync(`${lockPath}.recover`);
      }
    });
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({ 300: 'start-300' }, clock));
    assertHeld(result);
    assert.deepEqual(result.holder, owner(300));
  });

  it('removes a guard older than 10 s (its recoverer died) and takes over', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, JSON.stringify(owner(100)));
    writeFileSync(`${lockPath}.recover`, '300');
    const old = (Date.now() - 11_000) / 1000;
    utimesSync(`${lockPath}.recover`, old, old);
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({}, fakeClock()));
    assertAcquired(result);
    assert.deepEqual(result.recoveredStale, owner(100));
    assert.equal(existsSync(`${lockPath}.recover`), false);
  });

  it('a guard younger than 10 s that never goes away ends as held by the stale holder seen', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, JSON.stringify(owner(100)));
    writeFileSync(`${lockPath}.recover`, '300');
    // The real mtime stays fresh against the fake clock only while under 10 s have passed.
    const clock = fakeClock((slept) => {
      const fresh = (Date.now() + slept) / 1000;
      utimesSync(`${lockPath}.recover`, fresh, fresh);
    });
    const result = await acquireInstanceLock(dir, owner(200), fakeDeps({}, clock));
    assertHeld(result);
    assert.deepEqual(result.holder, owner(100));
    assert.deepEqual(readLock(dir), owner(100));
  });

  it('re-reads under the guard: a lock taken over in between is not removed', async () => {
    const dir = freshDir();
    const lockPath = lockPathFor(dir, PORT);
    writeFileSync(lockPath, JSON.stringify(owner(100)));
    let raced = false;
    const deps: InstanceLockDeps = {
      readIdentity: async (pid) => {
        // While we judge PID 100 stale, PID 300 completes its own takeover.
        if (pid === 100 && !raced) {
          raced = true;
          writeFileSync(lockPath, JSON.stringify(owner(300)));
          return null;
        }
        return pid === 300 ? { startTime: 'start-300' } : null;
      },
    };
    const result = await acquireInstanceLock(dir, owner(200), deps);
    assertHeld(result);
    assert.deepEqual(result.holder, owner(300));
    assert.deepEqual(readLock(dir), owner(300));
  });

  it('of 8 concurrent starts finding the same stale lock, exactly one wins', async () => {
    for (let round = 0; round < 10; round++) {
      const dir = freshDir();
      writeFileSync(lockPathFor(dir, PORT), JSON.stringify(owner(100)));
      const pids = [201, 202, 203, 204, 205, 206, 207, 208];
      const table = Object.fromEntries(pids.map((pid) => [pid, `start-${pid}`]));
      const results = await Promise.all(
        pids.map((pid) => acquireInstanceLock(dir, owner(pid), fakeDeps(table))),
      );
      const winners = results.filter((r) => r.acquired);
      assert.equal(winners.length, 1, `round ${round}`);
      const winner = parseLockOwner(readFileSync(lockPathFor(dir, PORT), 'utf8'));
      for (const r of results) if (!r.acquired) assert.equal(r.holder.pid, winner?.pid);
    }
  });

  describe('release', () => {
    it('removes our own lock, and a second call does nothing', async () => {
      const dir = freshDir();
      const result = await acquireInstanceLock(dir, owner(100), fakeDeps({}));
      assertAcquired(result);
      result.release();
      assert.equal(existsSync(result.lockPath), false);
      result.release();
      assertAcquired(await acquireInstanceLock(dir, owner(200), fakeDeps({})));
    });

    it('leaves a lock that someone else replaced ours with', async () => {
      const dir = freshDir();
      const result = await acquireInstanceLock(dir, owner(100), fakeDeps({}));
      assertAcquired(result);
      // Same PID, another record: a later start of ours after a PID wrap counts as someone else.
      const other = owner(100, { createdAt: '2030-01-01T00:00:00.000Z' });
      writeFileSync(result.lockPath, JSON.stringify(other));
      result.release();
      assert.deepEqual(readLock(dir), other);
    });

    it('never throws: lock gone, lock turned into a directory or a symlink', async () => {
      const dir = freshDir();
      const result = await acquireInstanceLock(dir, owner(100), fakeDeps({}));
      assertAcquired(result);
      rmSync(result.lockPath);
      assert.doesNotThrow(() => result.release());

      const dir2 = freshDir();
      const second = await acquireInstanceLock(dir2, owner(100), fakeDeps({}));
      assertAcquired(second);
      rmSync(second.lockPath);
      mkdirSync(second.lockPath);
      assert.doesNotThrow(() => second.release());
      assert.ok(statSync(second.lockPath).isDirectory());

      const dir3 = freshDir();
      const third = await acquireInstanceLock(dir3, owner(100), fakeDeps({}));
      assertAcquired(third);
      // A symlink to a file holding our very record is still not followed (or removed).
      const copy = path.join(freshDir(), 'copy.lock');
      writeFileSync(copy, readFileSync(third.lockPath));
      rmSync(third.lockPath);
      symlinkSync(copy, third.lockPath);
      assert.doesNotThrow(() => third.release());
      assert.ok(lstatSync(third.lockPath).isSymbolicLink());
    });

    it('a recovered lock is released like a fresh one', async () => {
      const dir = freshDir();
      writeFileSync(lockPathFor(dir, PORT), JSON.stringify(owner(100)));
      const result = await acquireInstanceLock(dir, owner(200), fakeDeps({}));
      assertAcquired(result);
      result.release();
      assert.equal(existsSync(result.lockPath), false);
    });
  });
});
