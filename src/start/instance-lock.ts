import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  unlinkSync,
  promises as fs,
  type Stats,
} from 'node:fs';
import { sameProcessStart } from '../owners/process-facts.ts';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** What a lock file records about the `tapo-port start` that holds it. */
export interface LockOwner {
  pid: number;
  /** The holder's start time as its platform reports it; null when it could not be read. */
  startTime: string | null;
  port: number;
  host: string;
  /** ISO-8601 UTC; with the PID, it tells our record from any later one. */
  createdAt: string;
  version: string;
}

export interface InstanceLockDeps {
  /** The process's identity now; null when no such PID. */
  readIdentity(pid: number): Promise<{ startTime: string | null } | null>;
  /** Milliseconds since the epoch, compared with file mtimes. Defaults to Date.now. */
  now?(): number;
  /** Defaults to a timer. */
  sleep?(ms: number): Promise<void>;
}

export type LockResult =
  | { acquired: true; lockPath: string; recoveredStale: LockOwner | null; release(): void }
  | { acquired: false; lockPath: string; holder: LockOwner };

/** Between O_EXCL and the write a lock is empty; an unreadable one this old lost its writer. */
const GARBAGE_STALE_MS = 5_000;
/** A takeover holds the guard for a few file operations; one this old lost its recoverer. */
const GUARD_STALE_MS = 10_000;
/** Long enough to outlive a dead recoverer's guard; after it, the last holder seen is reported. */
const GIVE_UP_MS = GUARD_STALE_MS + 2_000;
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 200;
/** A record is a few hundred bytes; anything far bigger is not ours. */
const MAX_LOCK_BYTES = 64 * 1024;

// O_NOFOLLOW keeps a planted symlink from redirecting a read or a create; Windows lacks it (and
// O_NONBLOCK), where the lstat checks carry that job. O_NONBLOCK keeps a planted FIFO from
// hanging the open.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const CREATE_FLAGS = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0);

/** `<dir>/start-<port>.lock`: one lock per requested port. */
export function lockPathFor(dir: string, port: number): string {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port: ${port}`);
  return path.join(dir, `start-${port}.lock`);
}

/** The record in a lock file, or null when it is not one (torn write, foreign content). */
export function parseLockOwner(text: string): LockOwner | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const ok =
    Number.isSafeInteger(v.pid) &&
    (v.pid as number) > 0 &&
    (v.startTime === null || typeof v.startTime === 'string') &&
    Number.isInteger(v.port) &&
    typeof v.host === 'string' &&
    typeof v.createdAt === 'string' &&
    typeof v.version === 'string';
  if (!ok) return null;
  return {
    pid: v.pid as number,
    startTime: v.startTime as string | null,
    port: v.port as number,
    host: v.host as string,
    createdAt: v.createdAt as string,
    version: v.version as string,
  };
}

/**
 * Whether a recorded holder is gone: no such PID, or the PID now belongs to a process that
 * started at another time. An identity whose start time cannot be read (now or when recorded)
 * cannot prove a reuse, so it counts as alive: taking a live dashboard's lock is worse than
 * reporting a dead one.
 */
export function isStaleHolder(owner: LockOwner, identity: { startTime: string | null } | null): boolean {
  if (identity === null) return true;
  return !sameProcessStart(owner.startTime, identity.startTime);
}

type Inspection =
  | { kind: 'gone' }
  | { kind: 'owner'; owner: LockOwner; raw: string }
  | { kind: 'garbage'; raw: string; mtimeMs: number };

/**
 * One start per user per requested port. Created exclusively, never through a symlink; a stale
 * lock (holder gone or PID reused) is taken over under a guard file, by renaming our record
 * over it, so that of several starts finding the same stale lock exactly one wins and the lock
 * never stops existing meanwhile. The directory must exist (ensureStateDir).
 *
 * An unreadable lock (empty or torn JSON) is a writer between its create and its write, so it is
 * polled until it parses (then judged like any lock) or is GARBAGE_STALE_MS old (then taken
 * over, with recoveredStale null): reporting it as held would send the caller to wait on a
 * dashboard that may not exist.
 *
 * Without a decision after GIVE_UP_MS (a guard younger than GUARD_STALE_MS that never goes away,
 * an unreadable lock whose mtime is in the future) it reports the lock held by the last record
 * seen, else by an unknown owner: pid 0, startTime null, host '' and version ''.
 *
 * Throws for a symlink or non-regular file at the lock or guard path (never followed, never
 * removed) and for file system errors other than the races it expects.
 */
export async function acquireInstanceLock(
  dir: string,
  self: LockOwner,
  deps: InstanceLockDeps,
): Promise<LockResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const lockPath = lockPathFor(dir, self.port);
  const record = JSON.stringify(self);
  const acquired = (recoveredStale: LockOwner | null): LockResult => ({
    acquired: true,
    lockPath,
    recoveredStale,
    release: releaser(lockPath, self),
  });

  const deadline = now() + GIVE_UP_MS;
  let delay = FIRST_POLL_MS;
  const pause = async (): Promise<void> => {
    await sleep(delay);
    delay = Math.min(delay * 2, MAX_POLL_MS);
  };
  // Reported when the deadline passes: the last record seen, or an unknown owner.
  let lastHolder: LockOwner | null = null;

  for (;;) {
    if (await createLock(lockPath, record)) return acquired(null);

    const seen = await inspectLock(lockPath);
    if (seen.kind === 'owner') {
      lastHolder = seen.owner;
      if (!isStaleHolder(seen.owner, await deps.readIdentity(seen.owner.pid))) {
        return { acquired: false, lockPath, holder: seen.owner };
      }
      if ((await recoverLock(lockPath, seen.raw, record, now)) === 'acquired') return acquired(seen.owner);
    } else if (seen.kind === 'garbage') {
      lastHolder ??= unknownHolder(self.port, seen.mtimeMs);
      const old = now() - seen.mtimeMs >= GARBAGE_STALE_MS;
      if (old && (await recoverLock(lockPath, seen.raw, record, now)) === 'acquired') return acquired(null);
    } else if (now() < deadline) {
      continue; // released between our create and our read: create again at once
    }
    // A writer between create and write, or another start taking over: look again shortly.
    if (now() >= deadline) {
      return { acquired: false, lockPath, holder: lastHolder ?? unknownHolder(self.port, now()) };
    }
    await pause();
  }
}

/** True when we created the lock; false when a file is already there. */
async function createLock(lockPath: string, record: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, CREATE_FLAGS, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ELOOP: O_NOFOLLOW met a symlink (some systems report that before EEXIST); inspectLock names it.
    if (code === 'EEXIST' || code === 'ELOOP') return false;
    throw error;
  }
  try {
    await handle.writeFile(record);
  } catch (error) {
    // Nobody else removes a lock that is not stale yet, so this name is still ours to remove.
    await handle.close().catch(() => undefined);
    await fs.unlink(lockPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

/** Reads a lock without following a link; refuses anything that is not a regular file. */
async function inspectLock(lockPath: string): Promise<Inspection> {
  const link = await lstatOrNull(lockPath);
  if (link === null) return { kind: 'gone' };
  refuseOddFile(lockPath, link, 'lock');
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'gone' };
    // Swapped for a symlink after the lstat.
    if (code === 'ELOOP') throw refusal(lockPath, 'lock', 'a symbolic link');
    throw error;
  }
  try {
    const stat = await handle.stat();
    refuseOddFile(lockPath, stat, 'lock');
    if (stat.size > MAX_LOCK_BYTES)
      return { kind: 'garbage', raw: `<${stat.size} bytes>`, mtimeMs: stat.mtimeMs };
    const raw = await handle.readFile('utf8');
    const owner = parseLockOwner(raw);
    return owner === null ? { kind: 'garbage', raw, mtimeMs: stat.mtimeMs } : { kind: 'owner', owner, raw };
  } finally {
    await handle.close();
  }
}

/**
 * Takes over the stale lock whose content was `staleRaw`. Only the start that creates the guard
 * exclusively may act; it re-reads the lock and removes it only if it still holds that content,
 * because between our read and the guard another start may already have taken it over.
 */
async function recoverLock(
  lockPath: string,
  staleRaw: string,
  record: string,
  now: () => number,
): Promise<'acquired' | 'retry'> {
  const guardPath = `${lockPath}.recover`;
  if (!(await createGuard(guardPath))) {
    const guard = await lstatOrNull(guardPath);
    if (guard !== null) {
      refuseOddFile(guardPath, guard, 'guard');
      // Its recoverer died between guard and cleanup. Removal by name is not atomic with the age
      // check: a start that checked the dead guard could remove a fresh guard created right
      // after, and two takeovers could then overlap. That needs a recoverer to crash within a
      // few file operations first; the caller's pause before its next guard (5 ms or more)
      // keeps the window far wider than the check-to-unlink gap.
      if (now() - guard.mtimeMs > GUARD_STALE_MS) await unlinkIfPresent(guardPath);
    }
    return 'retry';
  }
  try {
    const current = await inspectLock(lockPath);
    // Gone (its owner released it after all): an exclusive create, as anyone may be creating now.
    if (current.kind === 'gone') return (await createLock(lockPath, record)) ? 'acquired' : 'retry';
    if (current.raw !== staleRaw) return 'retry';
    return (await replaceLock(lockPath, record)) ? 'acquired' : 'retry';
  } finally {
    // Whatever happened, the lock's fate is decided; a guard left behind only delays others.
    await unlinkIfPresent(guardPath).catch(() => undefined);
  }
}

/**
 * Puts our record over the stale lock in one rename, so the lock never stops existing: a start
 * arriving meanwhile finds a lock (the stale one or ours), never an empty name to create.
 */
async function replaceLock(lockPath: string, record: string): Promise<boolean> {
  const temporary = `${lockPath}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temporary, CREATE_FLAGS, 0o600);
    await handle.writeFile(record).finally(() => handle.close());
    await fs.rename(temporary, lockPath);
    return true;
  } catch (error) {
    await unlinkIfPresent(temporary).catch(() => undefined);
    // Windows refuses to replace a file another start has open for reading; look again later.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY') return false;
    throw error;
  }
}

async function createGuard(guardPath: string): Promise<boolean> {
  try {
    const handle = await fs.open(guardPath, CREATE_FLAGS, 0o600);
    // The PID only helps a person who finds a leftover guard.
    await handle.writeFile(String(process.pid)).finally(() => handle.close());
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ELOOP') return false;
    throw error;
  }
}

/** The synchronous release for exit handlers: removes the lock only while it is still ours. */
function releaser(lockPath: string, self: LockOwner): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      const fd = openSync(lockPath, READ_FLAGS);
      let text: string;
      try {
        if (!fstatSync(fd).isFile()) return;
        const buffer = Buffer.alloc(MAX_LOCK_BYTES);
        const length = readSync(fd, buffer, 0, buffer.length, 0);
        text = buffer.subarray(0, length).toString('utf8');
      } finally {
        closeSync(fd);
      }
      // A lock taken over after we were judged stale is someone else's now.
      const owner = parseLockOwner(text);
      if (owner !== null && owner.pid === self.pid && owner.createdAt === self.createdAt)
        unlinkSync(lockPath);
    } catch {
      // Exit handlers must not throw; a lock left behind is stale and is taken over next time.
    }
  };
}

function unknownHolder(port: number, mtimeMs: number): LockOwner {
  return { pid: 0, startTime: null, port, host: '', createdAt: new Date(mtimeMs).toISOString(), version: '' };
}

interface FileKind {
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

function refuseOddFile(file: string, stat: FileKind, role: 'lock' | 'guard'): void {
  if (stat.isSymbolicLink()) throw refusal(file, role, 'a symbolic link');
  if (!stat.isFile()) throw refusal(file, role, 'not a regular file');
}

function refusal(file: string, role: 'lock' | 'guard', what: string): Error {
  return new Error(
    `The start ${role} file ${file} is ${what}; it is neither followed nor removed. Remove it yourself if you did not put it there.`,
  );
}

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
