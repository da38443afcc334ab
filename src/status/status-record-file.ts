import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fsyncSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { toAsciiJson } from '../contract/envelope.ts';
import type { ConflictOwner, ConflictRecord, DashboardStatusRecord } from './status-record.ts';

/** What `readStatusRecord` found: a record, nothing (`problem` null), or a file it cannot use. */
export type StatusRecordRead = { record: DashboardStatusRecord } | { record: null; problem: string | null };

/** A record is a few hundred bytes; anything this large is not one of ours. */
const MAX_RECORD_BYTES = 1024 * 1024;
/** O_NOFOLLOW does not exist on Windows; there the inode comparison after open does the job. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;
const READ_FLAGS = constants.O_RDONLY | NO_FOLLOW;
/**
 * Windows refuses to rename over a file another program has open without delete sharing (a
 * reader, an antivirus scan) for a moment; a few short retries ride that out.
 */
const RENAME_RETRY_MS = [10, 20, 40, 80];
const TRANSIENT_RENAME_CODES = new Set(['EPERM', 'EACCES', 'EBUSY']);

/** `<dir>/dashboard-<port>.json`: one record per requested port. */
export function statusRecordPath(dir: string, requestedPort: number): string {
  if (!Number.isInteger(requestedPort) || requestedPort < 1 || requestedPort > 65535) {
    throw new RangeError(`requestedPort must be a whole number from 1 to 65535; got ${requestedPort}`);
  }
  return path.join(dir, `dashboard-${requestedPort}.json`);
}

/**
 * Replaces the record atomically: a private temporary file (0600, created exclusively, never
 * through a symlink) is written, flushed and renamed over the record, so a reader sees the old
 * record or the new one, never half of one. The directory must exist (the state directory).
 */
export async function writeStatusRecord(dir: string, record: DashboardStatusRecord): Promise<void> {
  const file = statusRecordPath(dir, record.requestedPort);
  const temp = temporaryPath(file);
  try {
    const handle = await open(temp, CREATE_FLAGS, 0o600);
    try {
      await handle.writeFile(serialize(record));
      await handle.sync();
    } finally {
      await handle.close();
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        await rename(temp, file);
        return;
      } catch (error) {
        const wait = RENAME_RETRY_MS[attempt];
        if (wait === undefined || !TRANSIENT_RENAME_CODES.has(errorCode(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** `writeStatusRecord` for exit paths, where no promise will be awaited any more. */
export function writeStatusRecordSync(dir: string, record: DashboardStatusRecord): void {
  const file = statusRecordPath(dir, record.requestedPort);
  const temp = temporaryPath(file);
  try {
    const fd = openSync(temp, CREATE_FLAGS, 0o600);
    try {
      const bytes = Buffer.from(serialize(record), 'utf8');
      for (let written = 0; written < bytes.length;) {
        written += writeSync(fd, bytes, written, bytes.length - written);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        renameSync(temp, file);
        return;
      } catch (error) {
        const wait = RENAME_RETRY_MS[attempt];
        if (wait === undefined || !TRANSIENT_RENAME_CODES.has(errorCode(error))) throw error;
        sleepSync(wait);
      }
    }
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed: nothing to clean up
    }
    throw error;
  }
}

/**
 * Reads the record of a requested port. `{record: null, problem: null}`: there is none.
 * `{record: null, problem}`: there is a file, but it is not a record this version can trust (a
 * symlink, not a regular file, not JSON, another major schema version, or not our shape); the
 * problem is one sentence naming the file.
 */
export async function readStatusRecord(dir: string, requestedPort: number): Promise<StatusRecordRead> {
  const file = statusRecordPath(dir, requestedPort);
  const refuse = (reason: string): StatusRecordRead => ({
    record: null,
    problem: `The status record ${file} ${reason}.`,
  });
  let before: Stats;
  try {
    // lstat, not stat: a symlink planted at the record's path is reported, never followed.
    before = await lstat(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { record: null, problem: null };
    return refuse(`could not be read (${errorCode(error) || 'unknown error'})`);
  }
  if (before.isSymbolicLink()) return refuse('is a symbolic link; it was not followed');
  if (!before.isFile()) return refuse('is not a regular file');
  if (before.size > MAX_RECORD_BYTES)
    return refuse(`is too large to be a status record (${before.size} bytes)`);

  let text: string;
  try {
    const handle = await open(file, READ_FLAGS);
    try {
      const opened = await handle.stat();
      // Swapped between lstat and open (for a symlink, where O_NOFOLLOW does not exist).
      if (opened.ino !== before.ino || opened.dev !== before.dev || !opened.isFile()) {
        return refuse('was replaced while it was being read');
      }
      const buffer = Buffer.alloc(MAX_RECORD_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > MAX_RECORD_BYTES) return refuse('is too large to be a status record');
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { record: null, problem: null };
    if (code === 'ELOOP') return refuse('is a symbolic link; it was not followed');
    return refuse(`could not be read (${code || 'unknown error'})`);
  }

  const parsed = parseRecord(text, requestedPort);
  return 'record' in parsed ? parsed : refuse(parsed.reason);
}

function temporaryPath(file: string): string {
  return `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

function serialize(record: DashboardStatusRecord): string {
  return toAsciiJson(record) + '\n';
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// --- shape check -------------------------------------------------------------------------------

const STATES = new Set(['starting', 'running', 'exited', 'not-ready', 'reused', 'not-started']);
const POLICIES = new Set(['reuse', 'fail', 'next', 'stop']);
const RESOLUTIONS = new Set(['next', 'stopped', 'reused', 'failed']);
const PORT_STATUSES = new Set(['free', 'in-use', 'reserved', 'forbidden', 'shadowed', 'unknown']);
const OWNER_KINDS = new Set([
  'process',
  'container',
  'forwarder',
  'wsl',
  'http.sys',
  'service',
  'dashboard',
  'hidden',
]);

/** A field that is missing or of the wrong type: `where` is its dotted path. */
class ShapeError extends Error {
  constructor(
    readonly where: string,
    readonly expected: string,
  ) {
    super(`${where}: expected ${expected}`);
  }
}

type Fields = Record<string, unknown>;

/**
 * Terraform's rule: a record of another major version is refused; a newer minor version is read
 * for the fields this version knows, and unknown fields are dropped. The result is a fresh
 * object of exactly the 1.0 shape, whatever else the file held.
 */
function parseRecord(
  text: string,
  requestedPort: number,
): { record: DashboardStatusRecord } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reason: 'is not valid JSON' };
  }
  if (!isFields(value)) return { reason: 'is not a JSON object' };
  const version = value.schemaVersion;
  if (typeof version !== 'string') return { reason: 'has no schema version' };
  const major = /^(\d+)\.\d+$/.exec(version)?.[1];
  if (major !== '1') {
    return {
      reason: `has schema version ${JSON.stringify(version).slice(0, 40)}, which this tapo-port cannot read (it reads 1.x)`,
    };
  }
  try {
    const record = readFields(value);
    if (record.requestedPort !== requestedPort) {
      return { reason: `is for port ${record.requestedPort}, not ${requestedPort}` };
    }
    return { record };
  } catch (error) {
    if (error instanceof ShapeError) {
      return { reason: `is not a status record (${error.where}: expected ${error.expected})` };
    }
    throw error;
  }
}

function readFields(o: Fields): DashboardStatusRecord {
  const dashboard = objectOrNull(o, 'dashboard', '', (d, where) => ({
    pid: pid(d, 'pid', where),
    startTime: nullableString(d, 'startTime', where),
    command: stringArray(d, 'command', where),
  }));
  const launcher = object(o, 'launcher', '', (l, where) => ({
    pid: pid(l, 'pid', where),
    startTime: nullableString(l, 'startTime', where),
  }));
  return {
    schemaVersion: '1.0',
    requestedPort: port(o, 'requestedPort', ''),
    host: string(o, 'host', ''),
    policy: oneOf(o, 'policy', '', POLICIES) as DashboardStatusRecord['policy'],
    port: orNull(o, 'port', '', () => port(o, 'port', '')),
    state: oneOf(o, 'state', '', STATES) as DashboardStatusRecord['state'],
    conflict: objectOrNull(o, 'conflict', '', readConflict),
    dashboard,
    url: nullableString(o, 'url', ''),
    healthUrl: nullableString(o, 'healthUrl', ''),
    launcher,
    startedAt: timestamp(o, 'startedAt', ''),
    updatedAt: timestamp(o, 'updatedAt', ''),
    exitCode: orNull(o, 'exitCode', '', () => integer(o, 'exitCode', '')),
    message: nullableString(o, 'message', ''),
    logFile: nullableString(o, 'logFile', ''),
  };
}

function readConflict(c: Fields, where: string): ConflictRecord {
  const owners = c.owners;
  if (!Array.isArray(owners)) throw new ShapeError(`${where}.owners`, 'an array');
  return {
    status: oneOf(c, 'status', where, PORT_STATUSES) as ConflictRecord['status'],
    summary: string(c, 'summary', where),
    owners: owners.map((owner: unknown, index): ConflictOwner => {
      const at = `${where}.owners[${index}]`;
      if (!isFields(owner)) throw new ShapeError(at, 'an object');
      return {
        kind: oneOf(owner, 'kind', at, OWNER_KINDS) as ConflictOwner['kind'],
        pid: orNull(owner, 'pid', at, () => pid(owner, 'pid', at)),
        name: nullableString(owner, 'name', at),
        container: nullableString(owner, 'container', at),
      };
    }),
    resolution: oneOf(c, 'resolution', where, RESOLUTIONS) as ConflictRecord['resolution'],
  };
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function dotted(where: string, key: string): string {
  return where === '' ? key : `${where}.${key}`;
}

/** Every declared key is present (null when unknown): a missing key is not our shape. */
function field(o: Fields, key: string, where: string): unknown {
  if (!Object.hasOwn(o, key)) throw new ShapeError(dotted(where, key), 'a value (the key is missing)');
  return o[key];
}

function string(o: Fields, key: string, where: string): string {
  const value = field(o, key, where);
  if (typeof value !== 'string') throw new ShapeError(dotted(where, key), 'a string');
  return value;
}

function nullableString(o: Fields, key: string, where: string): string | null {
  return orNull(o, key, where, () => string(o, key, where));
}

function integer(o: Fields, key: string, where: string): number {
  const value = field(o, key, where);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ShapeError(dotted(where, key), 'a whole number');
  }
  return value;
}

function port(o: Fields, key: string, where: string): number {
  const value = integer(o, key, where);
  if (value < 1 || value > 65535) throw new ShapeError(dotted(where, key), 'a port from 1 to 65535');
  return value;
}

function pid(o: Fields, key: string, where: string): number {
  const value = integer(o, key, where);
  if (value < 1) throw new ShapeError(dotted(where, key), 'a PID');
  return value;
}

function timestamp(o: Fields, key: string, where: string): string {
  const value = string(o, key, where);
  if (Number.isNaN(Date.parse(value))) throw new ShapeError(dotted(where, key), 'an ISO-8601 time');
  return value;
}

function oneOf(o: Fields, key: string, where: string, allowed: ReadonlySet<string>): string {
  const value = string(o, key, where);
  if (!allowed.has(value)) throw new ShapeError(dotted(where, key), `one of ${[...allowed].join(', ')}`);
  return value;
}

function stringArray(o: Fields, key: string, where: string): string[] {
  const value = field(o, key, where);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ShapeError(dotted(where, key), 'an array of strings');
  }
  return [...(value as string[])];
}

function object<T>(o: Fields, key: string, where: string, read: (value: Fields, where: string) => T): T {
  const value = field(o, key, where);
  if (!isFields(value)) throw new ShapeError(dotted(where, key), 'an object');
  return read(value, dotted(where, key));
}

/** Null stays null; anything else must pass `read`. */
function orNull<T>(o: Fields, key: string, where: string, read: () => T): T | null {
  return field(o, key, where) === null ? null : read();
}

function objectOrNull<T>(
  o: Fields,
  key: string,
  where: string,
  read: (value: Fields, where: string) => T,
): T | null {
  return orNull(o, key, where, () => object(o, key, where, read));
}
