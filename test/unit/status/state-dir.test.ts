// resolveStateDir per platform (a table), and ensureStateDir against a real file system: what it
// creates, and every directory it must refuse because another user could swap our files in it.
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ensureStateDir,
  resolveStateDir,
  StateDirError,
  type StateDirInputs,
} from '../../../src/status/state-dir.ts';

describe('resolveStateDir', () => {
  const cases: { name: string; inputs: StateDirInputs; expected: string }[] = [
    {
      name: 'linux default',
      inputs: { platform: 'linux', env: {}, homeDir: '/home/ann' },
      expected: '/home/ann/.local/state/tapo-port',
    },
    {
      name: 'linux XDG_STATE_HOME',
      inputs: { platform: 'linux', env: { XDG_STATE_HOME: '/var/xdg' }, homeDir: '/home/ann' },
      expected: '/var/xdg/tapo-port',
    },
    {
      name: 'linux relative XDG_STATE_HOME is ignored (XDG spec)',
      inputs: { platform: 'linux', env: { XDG_STATE_HOME: 'state' }, homeDir: '/home/ann' },
      expected: '/home/ann/.local/state/tapo-port',
    },
    {
      name: 'linux empty XDG_STATE_HOME is ignored',
      inputs: { platform: 'linux', env: { XDG_STATE_HOME: '' }, homeDir: '/home/ann' },
      expected: '/home/ann/.local/state/tapo-port',
    },
    {
      name: 'freebsd follows XDG',
      inputs: { platform: 'freebsd', env: { XDG_STATE_HOME: '/xdg' }, homeDir: '/home/ann' },
      expected: '/xdg/tapo-port',
    },
    {
      name: 'darwin',
      inputs: { platform: 'darwin', env: { XDG_STATE_HOME: '/xdg' }, homeDir: '/Users/ann' },
      expected: '/Users/ann/Library/Application Support/tapo-port',
    },
    {
      name: 'win32 LOCALAPPDATA',
      inputs: {
        platform: 'win32',
        env: { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' },
        homeDir: 'C:\\Users\\ann',
      },
      expected: 'C:\\Users\\ann\\AppData\\Local\\tapo-port',
    },
    {
      name: 'win32 without LOCALAPPDATA',
      inputs: { platform: 'win32', env: {}, homeDir: 'C:\\Users\\ann' },
      expected: 'C:\\Users\\ann\\AppData\\Local\\tapo-port',
    },
    {
      name: 'win32 relative LOCALAPPDATA falls back to the profile',
      inputs: { platform: 'win32', env: { LOCALAPPDATA: 'Local' }, homeDir: 'D:\\profiles\\ann' },
      expected: 'D:\\profiles\\ann\\AppData\\Local\\tapo-port',
    },
    {
      name: 'TAPO_STATE_DIR on linux (normalized)',
      inputs: {
        platform: 'linux',
        env: { TAPO_STATE_DIR: '/srv/tapo//state/', XDG_STATE_HOME: '/xdg' },
        homeDir: '/home/ann',
      },
      expected: '/srv/tapo/state/',
    },
    {
      name: 'TAPO_STATE_DIR on win32',
      inputs: {
        platform: 'win32',
        env: { TAPO_STATE_DIR: 'E:/tapo/state', LOCALAPPDATA: 'C:\\L' },
        homeDir: 'C:\\Users\\ann',
      },
      expected: 'E:\\tapo\\state',
    },
    {
      name: 'empty TAPO_STATE_DIR counts as unset',
      inputs: { platform: 'linux', env: { TAPO_STATE_DIR: '' }, homeDir: '/home/ann' },
      expected: '/home/ann/.local/state/tapo-port',
    },
    {
      name: 'TAPO_STATE_DIR without a usable home',
      inputs: { platform: 'linux', env: { TAPO_STATE_DIR: '/srv/tapo' }, homeDir: '' },
      expected: '/srv/tapo',
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(resolveStateDir(c.inputs), c.expected));
  }

  const refusals: { name: string; inputs: StateDirInputs; problem: string }[] = [
    {
      name: 'relative TAPO_STATE_DIR',
      inputs: { platform: 'linux', env: { TAPO_STATE_DIR: 'state' }, homeDir: '/home/ann' },
      problem: 'not-absolute',
    },
    {
      name: 'drive-relative TAPO_STATE_DIR on win32',
      inputs: { platform: 'win32', env: { TAPO_STATE_DIR: 'C:state' }, homeDir: 'C:\\Users\\ann' },
      problem: 'not-absolute',
    },
    {
      name: 'a Windows path on linux',
      inputs: { platform: 'linux', env: { TAPO_STATE_DIR: 'C:\\state' }, homeDir: '/home/ann' },
      problem: 'not-absolute',
    },
    {
      name: 'no home on linux',
      inputs: { platform: 'linux', env: {}, homeDir: '' },
      problem: 'no-home',
    },
    {
      name: 'relative home on darwin',
      inputs: { platform: 'darwin', env: {}, homeDir: 'ann' },
      problem: 'no-home',
    },
    {
      name: 'no home and no LOCALAPPDATA on win32',
      inputs: { platform: 'win32', env: {}, homeDir: '' },
      problem: 'no-home',
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name} (${c.problem})`, () => {
      assert.throws(
        () => resolveStateDir(c.inputs),
        (error: unknown) =>
          error instanceof StateDirError &&
          error.problem === c.problem &&
          error.hint.includes('TAPO_STATE_DIR'),
      );
    });
  }
});

describe('ensureStateDir', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tapo-state-dir-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const fresh = (): string => path.join(root, `case-${++n}`);
  const mode = (p: string): number => statSync(p).mode & 0o777;

  function refuses(problem: string, dir: string, hint: RegExp) {
    return (error: unknown): boolean => {
      assert.ok(error instanceof StateDirError, String(error));
      assert.equal(error.problem, problem);
      assert.equal(error.path, dir);
      assert.ok(error.message.includes(dir), error.message);
      assert.match(error.hint, hint);
      return true;
    };
  }

  it('creates a missing directory and its parents, 0700', async () => {
    const dir = path.join(fresh(), 'state', 'tapo-port');
    await ensureStateDir(dir);
    assert.ok(statSync(dir).isDirectory());
    assert.equal(mode(dir), 0o700);
  });

  it('accepts an existing 0700 directory, twice', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
    await ensureStateDir(dir);
    await ensureStateDir(dir);
    assert.equal(mode(dir), 0o700);
  });

  it('accepts 0755 (readable, not writable by others)', async () => {
    const dir = fresh();
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    await ensureStateDir(dir);
  });

  it('refuses a symlink to a good directory, and leaves it', async () => {
    const target = fresh();
    mkdirSync(target, { mode: 0o700 });
    const dir = fresh();
    symlinkSync(target, dir);
    await assert.rejects(ensureStateDir(dir), refuses('symlink', dir, /rm .*case-/));
    assert.ok(statSync(target).isDirectory());
  });

  it('refuses a dangling symlink without creating its target', async () => {
    const target = fresh();
    const dir = fresh();
    symlinkSync(target, dir);
    await assert.rejects(ensureStateDir(dir), refuses('symlink', dir, /symbolic|rm /));
    assert.throws(() => statSync(target), { code: 'ENOENT' });
  });

  it('refuses a 0777 directory with the chmod that fixes it', async () => {
    const dir = path.join(fresh(), "it's shared");
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    await assert.rejects(
      ensureStateDir(dir),
      refuses('writable-by-others', dir, new RegExp(`^Make it private: chmod 700 '.*it'\\\\''s shared'$`)),
    );
    await assert.rejects(ensureStateDir(dir), /writable by its group and other users \(mode 777\)/);
    assert.equal(mode(dir), 0o777, 'never changed behind the user');
  });

  it('refuses a group-writable directory', async () => {
    const dir = fresh();
    mkdirSync(dir);
    chmodSync(dir, 0o720);
    await assert.rejects(ensureStateDir(dir), (error: unknown) => {
      assert.ok(error instanceof StateDirError);
      assert.equal(error.problem, 'writable-by-others');
      assert.match(error.message, /writable by its group \(mode 720\)/);
      return true;
    });
  });

  it('refuses a regular file', async () => {
    const dir = fresh();
    writeFileSync(dir, 'not a directory');
    await assert.rejects(ensureStateDir(dir), refuses('not-a-directory', dir, /mv /));
  });

  it('says why it cannot create one under a regular file', async () => {
    const file = fresh();
    writeFileSync(file, '');
    const dir = path.join(file, 'state');
    await assert.rejects(ensureStateDir(dir), refuses('create-failed', dir, /TAPO_STATE_DIR/));
  });

  it('on win32 checks only link and directory, not POSIX mode or owner', async () => {
    const dir = fresh();
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    await ensureStateDir(dir, { platform: 'win32', uid: 12345 });
    const link = fresh();
    symlinkSync(dir, link);
    await assert.rejects(
      ensureStateDir(link, { platform: 'win32' }),
      refuses('symlink', link, /Remove-Item/),
    );
  });

  it('refuses a directory owned by another user', async (t) => {
    if (process.getuid?.() !== 0) {
      console.log('SKIPPED: the foreign-owner test needs root (to chown a directory to uid 65534)');
      t.skip('needs root');
      return;
    }
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    await assert.rejects(ensureStateDir(dir), refuses('foreign-owner', dir, /not under sudo/));
    await assert.rejects(ensureStateDir(dir), /belongs to uid 65534, not to you \(uid 0\)/);
  });

  it('checks the owner against the uid it is given', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o700 });
    const owner = statSync(dir).uid;
    await assert.rejects(
      ensureStateDir(dir, { uid: owner + 1 }),
      refuses('foreign-owner', dir, /sudo rm -r .*case-.*TAPO_STATE_DIR/),
    );
    await ensureStateDir(dir, { uid: owner });
  });
});
