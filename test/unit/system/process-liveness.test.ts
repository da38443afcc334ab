import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { livenessReader } from '../../../src/system/process-liveness.ts';

// A PID that certainly existed and is gone now: a child that has exited and been reaped.
const deadPid = spawnSync(process.execPath, ['-e', '0']).pid ?? 0;

describe('livenessReader (the lock and status ask "is it still there?")', () => {
  it('passes on the identity of a live process', async () => {
    const read = livenessReader(async () => ({ startTime: '2026-11-25T10:00:00.000Z' }));
    assert.deepEqual(await read(process.pid), { startTime: '2026-11-25T10:00:00.000Z' });
  });

  it('says gone (null) only for a PID that does not exist, without asking the reader', async () => {
    let asked = false;
    const read = livenessReader(async () => {
      asked = true;
      return { startTime: 'x' };
    });
    assert.equal(await read(deadPid), null);
    assert.equal(asked, false);
  });

  it('a reader that cannot tell (a failed CIM query gives null) means alive, start unknown', async () => {
    assert.deepEqual(await livenessReader(async () => null)(process.pid), { startTime: null });
  });

  it('a reader that throws means alive, start unknown', async () => {
    const read = livenessReader(async () => {
      throw new Error('PowerShell timed out');
    });
    assert.deepEqual(await read(process.pid), { startTime: null });
  });

  it('PID 0 and negative PIDs are never alive (kill(0) and kill(-1) mean groups)', async () => {
    const read = livenessReader(async () => ({ startTime: 'x' }));
    assert.equal(await read(0), null);
    assert.equal(await read(-1), null);
  });
});
