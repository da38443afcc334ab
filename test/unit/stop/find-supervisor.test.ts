// Which supervisor brings a stopped process back, and the command that stops it there: a table
// of parents (by name and by command line), units and launchd jobs, each with the exact answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSupervisor, supervisorLabel, type FoundSupervisor } from '../../../src/stop/find-supervisor.ts';
import type { StopPlanOptions } from '../../../src/stop/stop-plan-types.ts';
import type { ProcessFacts } from '../../../src/owners/process-facts.ts';
import { processFacts } from './stop-fakes.ts';

const options = (fields: Partial<StopPlanOptions> = {}): StopPlanOptions => ({
  force: false,
  timeoutSeconds: 10,
  selfPid: 9000,
  ancestorPids: [],
  currentUid: 1000,
  platform: 'linux',
  ...fields,
});

const child = (parentName: string | null, fields: Partial<ProcessFacts> = {}): ProcessFacts =>
  processFacts(4242, { ppid: 600, parentChain: [{ pid: 600, name: parentName }], ...fields });

describe('findSupervisor: parents known by their name', () => {
  const rows: [string | null, NodeJS.Platform, FoundSupervisor | null][] = [
    ['PM2 v5.3.0: God', 'linux', { kind: 'pm2', command: 'pm2 list', label: 'pm2 (PID 600)', pid: 600 }],
    ['pm2', 'linux', { kind: 'pm2', command: 'pm2 list', label: 'pm2 (PID 600)', pid: 600 }],
    ['nodemon', 'linux', { kind: 'nodemon', command: 'kill 600', label: 'nodemon (PID 600)', pid: 600 }],
    [
      'nodemon.exe',
      'win32',
      { kind: 'nodemon', command: 'taskkill /PID 600 /T', label: 'nodemon (PID 600)', pid: 600 },
    ],
    [
      'NODEMON.EXE',
      'win32',
      { kind: 'nodemon', command: 'taskkill /PID 600 /T', label: 'nodemon (PID 600)', pid: 600 },
    ],
    [
      'supervisord',
      'linux',
      { kind: 'parent', command: 'supervisorctl status', label: 'supervisord (PID 600)', pid: 600 },
    ],
    [
      'forever',
      'linux',
      { kind: 'parent', command: 'forever stop 4242', label: 'forever (PID 600)', pid: 600 },
    ],
    // Names that only contain or start with a supervisor's are not one.
    ['pm2x', 'linux', null],
    ['xpm2', 'linux', null],
    ['nodemonx', 'linux', null],
    ['xnodemon', 'linux', null],
    ['supervisordx', 'linux', null],
    ['xsupervisord', 'linux', null],
    ['foreverx', 'linux', null],
    ['xforever', 'linux', null],
    ['nodemon.exe.bak', 'linux', null],
    ['bash', 'linux', null],
    [null, 'linux', null],
  ];
  for (const [name, platform, expected] of rows) {
    it(`${name ?? '(no name)'} on ${platform}`, () => {
      assert.deepEqual(findSupervisor(child(name), options({ platform })), expected);
    });
  }
});

describe('findSupervisor: interpreter parents known by their command line', () => {
  const rows: [string, FoundSupervisor['kind'] | null, string | null][] = [
    ['node /usr/lib/node_modules/nodemon/bin/nodemon.js app.js', 'nodemon', 'kill 600'],
    ['C:\\Users\\a\\AppData\\Roaming\\npm\\nodemon.cmd app.js', 'nodemon', 'kill 600'],
    ['nodemon', 'nodemon', 'kill 600'],
    ['node /usr/lib/node_modules/pm2/bin/pm2 start app.js', 'pm2', 'pm2 list'],
    ['PM2 v5.3.0: God Daemon (/root/.pm2)', 'pm2', 'pm2 list'],
    ['node pm2.js', 'pm2', 'pm2 list'],
    ['/usr/bin/python3 /usr/bin/supervisord -n -c /etc/supervisord.conf', 'parent', 'supervisorctl status'],
    ['node /usr/lib/node_modules/forever/bin/monitor app.js', 'parent', 'forever stop 4242'],
    ['node forever.js start app.js', 'parent', 'forever stop 4242'],
    ['pm2 start app.js', 'pm2', 'pm2 list'],
    ['/usr/bin/node (PM2 v5.3.0)', 'pm2', 'pm2 list'],
    ['/usr/bin/node (PM2 version)', null, null],
    ['supervisord -n -c /etc/supervisord.conf', 'parent', 'supervisorctl status'],
    ['python3 /usr/bin/supervisord', 'parent', 'supervisorctl status'],
    ['python3 xsupervisord -n', null, null],
    ['forever start app.js', 'parent', 'forever stop 4242'],
    ['node /usr/local/bin/forever', 'parent', 'forever stop 4242'],
    // Only the word itself, not a word that contains it.
    ['node /srv/mynodemon.js', null, null],
    ['node /srv/nodemonitor.js', null, null],
    ['node /srv/pm2000.js', null, null],
    ['node /srv/supervisordash.js', null, null],
    ['node /srv/foreverland.js', null, null],
    ['node /srv/apm2.js', null, null],
  ];
  for (const [commandLine, kind, command] of rows) {
    it(`${commandLine}: ${kind ?? 'none'}`, () => {
      const found = findSupervisor(
        child('node'),
        options({ parentCommandLines: new Map([[600, commandLine]]) }),
      );
      assert.equal(found?.kind ?? null, kind);
      assert.equal(found?.command ?? null, command);
      if (found) {
        assert.equal(found.pid, 600);
        const label =
          { nodemon: 'nodemon', pm2: 'pm2' }[found.kind as 'nodemon' | 'pm2'] ??
          (command === 'supervisorctl status' ? 'supervisord' : 'forever');
        assert.equal(found.label, `${label} (PID 600)`);
      }
    });
  }
  it('a parent whose command line is unknown is not a supervisor', () => {
    assert.equal(
      findSupervisor(child('node'), options({ parentCommandLines: new Map([[600, null]]) })),
      null,
    );
    assert.equal(findSupervisor(child('node'), options()), null);
  });
  it('the nearest supervisor in the chain is the one named', () => {
    const facts = processFacts(4242, {
      ppid: 600,
      parentChain: [
        { pid: 600, name: 'nodemon' },
        { pid: 500, name: 'PM2 v5.3.0: God' },
      ],
    });
    assert.equal(findSupervisor(facts, options())?.pid, 600);
  });
});

describe('findSupervisor: systemd units', () => {
  const unit = (user: boolean, parent = 'systemd'): ProcessFacts =>
    processFacts(4242, {
      systemdUnit: 'web.service',
      systemdUserUnit: user,
      ppid: 1,
      parentChain: [{ pid: 1, name: parent }],
    });
  const rows: [string, ProcessFacts, number, FoundSupervisor | null][] = [
    [
      'a system unit, as a user: sudo',
      unit(false),
      1000,
      {
        kind: 'systemd',
        command: 'sudo systemctl stop web.service',
        label: 'systemd unit web.service',
        pid: null,
      },
    ],
    [
      'a system unit, as root: no sudo',
      unit(false),
      0,
      {
        kind: 'systemd',
        command: 'systemctl stop web.service',
        label: 'systemd unit web.service',
        pid: null,
      },
    ],
    [
      'a user unit: --user, never sudo',
      unit(true),
      1000,
      {
        kind: 'systemd',
        command: 'systemctl --user stop web.service',
        label: 'systemd user unit web.service',
        pid: null,
      },
    ],
    ['a process a unit spawned (its parent is not systemd)', unit(false, 'bash'), 1000, null],
  ];
  for (const [name, facts, currentUid, expected] of rows) {
    it(name, () => assert.deepEqual(findSupervisor(facts, options({ currentUid })), expected));
  }
  it('no parent known at all: not systemd', () => {
    assert.equal(
      findSupervisor(processFacts(4242, { systemdUnit: 'web.service', parentChain: [] }), options()),
      null,
    );
  });
});

describe('findSupervisor: launchd jobs', () => {
  const job = (keepAlive: boolean | null, ppid = 1): ProcessFacts =>
    processFacts(4242, {
      ppid,
      parentChain: [{ pid: ppid, name: ppid === 1 ? 'launchd' : 'zsh' }],
      launchdJob: { label: 'homebrew.mxcl.web', domain: 'gui/501', keepAlive, plist: null },
    });
  it('KeepAlive: the job, its domain and bootout', () => {
    assert.deepEqual(findSupervisor(job(true), options({ platform: 'darwin', currentUid: 501 })), {
      kind: 'launchd',
      command: 'launchctl bootout gui/501/homebrew.mxcl.web',
      label: 'launchd job homebrew.mxcl.web (gui/501, KeepAlive)',
      pid: null,
    });
  });
  it('KeepAlive unknown: still the job (it may come back), without the KeepAlive mark', () => {
    assert.equal(
      findSupervisor(job(null), options({ platform: 'darwin', currentUid: 501 }))?.label,
      'launchd job homebrew.mxcl.web (gui/501)',
    );
  });
  it('not kept alive, or not started by launchd itself: no supervisor', () => {
    assert.equal(findSupervisor(job(false), options({ platform: 'darwin' })), null);
    assert.equal(findSupervisor(job(true, 600), options({ platform: 'darwin' })), null);
  });
});

describe('supervisorLabel: how to stop it there', () => {
  const found = (fields: Partial<FoundSupervisor>): FoundSupervisor => ({
    kind: 'parent',
    command: 'x',
    label: 'supervisord (PID 600)',
    pid: 600,
    ...fields,
  });
  const facts = processFacts(4242);
  it('pm2: find the name, then pm2 stop', () => {
    assert.equal(
      supervisorLabel(found({ kind: 'pm2', label: 'pm2 (PID 600)' }), facts),
      'pm2 (PID 600); find its name with `pm2 list`, then `pm2 stop <name>`',
    );
  });
  it('supervisord: find the name, then supervisorctl stop', () => {
    assert.equal(
      supervisorLabel(found({}), facts),
      'supervisord (PID 600); find its name with `supervisorctl status`, then `supervisorctl stop <name>`',
    );
  });
  it('anything else: the label alone', () => {
    assert.equal(
      supervisorLabel(found({ kind: 'nodemon', label: 'nodemon (PID 600)' }), facts),
      'nodemon (PID 600)',
    );
    assert.equal(
      supervisorLabel(found({ label: 'my supervisord (PID 600)' }), facts),
      'my supervisord (PID 600)',
    );
  });
});
