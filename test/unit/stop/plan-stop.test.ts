// planStop: every refusal rule, the container (never its forwarder), supervisors, selection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planStop, stopTargetKey } from '../../../src/stop/plan-stop.ts';
import { type StopPlanOptions } from '../../../src/stop/stop-plan-types.ts';
import { TapoError } from '../../../src/contract/error-catalogue.ts';
import type { Owner } from '../../../src/owners/owner.ts';
import {
  START,
  checkData,
  containerOwner,
  forwarderOwner,
  hiddenOwner,
  httpSysOwner,
  processOwner,
  serviceOwner,
  wslOwner,
  planFor,
  stopOptions,
} from './stop-fakes.ts';

const refusalWords: Record<
  string,
  { owner?: string; pid?: number | null; reason?: string; command?: string | null }
> = {
  'PID 1 (init)': {
    owner: 'process 1',
    pid: 1,
    reason: 'PID 1 is init (systemd), the root of every process; it is never stopped.',
    command: null,
  },
  'PID 0': {
    owner: 'process 0',
    pid: 0,
    reason: 'PID 0 is a pseudo-process of the kernel; it is never stopped.',
    command: null,
  },
  'PID 4 as a process': {
    owner: 'process 4',
    pid: 4,
    reason: 'PID 4 is a pseudo-process of the kernel; it is never stopped.',
    command: null,
  },
  'this process': {
    owner: 'process 9000',
    pid: 9000,
    reason: 'PID 9000 is tapo-port itself.',
    command: null,
  },
  'a parent of this process': {
    owner: 'process 8998',
    pid: 8998,
    reason: 'PID 8998 started tapo-port (a parent of this process); stopping it would stop us too.',
    command: null,
  },
  'facts unreadable': {
    owner: 'process 4242',
    pid: 4242,
    reason:
      'PID 4242 could not be read; it may have exited and its number been reused. Run the command again.',
    command: null,
  },
  'no start time': {
    owner: 'process 4242',
    pid: 4242,
    reason:
      'PID 4242 could not be read fully (no start time); it may have exited and its number been reused. Run the command again.',
    command: null,
  },
  'critical process': {
    owner: 'process 4242',
    pid: 4242,
    reason: 'dbus-daemon (PID 4242) is part of the operating system; use another port.',
    command: null,
  },
  'lsass on Windows': {
    owner: 'process 640',
    pid: 640,
    reason: 'lsass.exe (PID 640) is part of the operating system; use another port.',
    command: null,
  },
  'another user': {
    owner: 'process 4242',
    pid: 4242,
    reason: 'python3 (PID 4242) belongs to user bob; only that user or root may stop it.',
    command: 'sudo tapo-port stop --port 7777 --host 0.0.0.0 --pid 4242',
  },
  'http.sys': {
    owner: 'http.sys',
    pid: 4,
    reason:
      'PID 4 is the Windows kernel (http.sys) serving URLs registered by other programs; stop the service that registered the URL, never PID 4.',
    command: 'netsh http show servicestate view=requestq',
  },
  'hidden owner': {
    owner: 'hidden',
    pid: null,
    reason: 'the socket belongs to user id 0; see it with the command shown (elevated) and stop it there.',
    command: "sudo ss -ltnp 'sport = :7777'",
  },
  'WSL relay': {
    owner: 'wsl',
    pid: 6000,
    reason:
      'The port is relayed from a Linux program inside WSL; stop that program inside WSL (never the relay wslrelay.exe). Find it with the command shown.',
    command: "wsl -e ss -ltnp 'sport = :7777'",
  },
  'stale forwarder': {
    owner: 'forwarder',
    pid: 3210,
    reason:
      'Docker (docker-proxy) holds the port but no container publishes it (a stale forwarder, or Docker did not answer); restart Docker rather than killing the forwarder.',
    command: 'docker ps --filter publish=7777',
  },
  'core Windows service': {
    owner: 'service 1200',
    pid: 1200,
    reason: 'RpcSs is a service Windows needs; use another port.',
    command: null,
  },
  'svchost with several services': {
    owner: 'service 1200',
    pid: 1200,
    reason:
      'PID 1200 hosts several services (Spooler, Fax); only one holds the port, so none is stopped blindly. Stop the right one yourself.',
    command: 'Stop-Service -Name Spooler; Stop-Service -Name Fax',
  },
  'systemd unit main process': {
    owner: 'process 4242',
    pid: 4242,
    reason:
      'python3 (PID 4242) is run by systemd unit web.service, which would start it again; stop it there.',
    command: 'sudo systemctl stop web.service',
  },
  'pm2 child': {
    owner: 'process 4242',
    pid: 4242,
    reason:
      'python3 (PID 4242) is run by pm2 (PID 600); find its name with `pm2 list`, then `pm2 stop <name>`, which would start it again; stop it there.',
    command: 'pm2 list',
  },
  'nodemon child (by name)': {
    owner: 'process 4242',
    pid: 4242,
    reason: 'python3 (PID 4242) is run by nodemon (PID 600), which would start it again; stop it there.',
    command: 'kill 600',
  },
  'node running nodemon (by command line)': {
    owner: 'process 4242',
    pid: 4242,
    reason: 'python3 (PID 4242) is run by nodemon (PID 600), which would start it again; stop it there.',
    command: 'kill 600',
  },
  'supervisord grandchild': {
    owner: 'process 4242',
    pid: 4242,
    reason:
      'python3 (PID 4242) is run by supervisord (PID 600); find its name with `supervisorctl status`, then `supervisorctl stop <name>`, which would start it again; stop it there.',
    command: 'supervisorctl status',
  },
  'forever child': {
    owner: 'process 4242',
    pid: 4242,
    reason: 'python3 (PID 4242) is run by forever (PID 600), which would start it again; stop it there.',
    command: 'forever stop 4242',
  },
};

describe('planStop refusals', () => {
  const cases: {
    name: string;
    owners: Owner[];
    options?: Partial<StopPlanOptions>;
    platform?: NodeJS.Platform;
    code: string;
  }[] = [
    { name: 'PID 1 (init)', owners: [processOwner(1, { name: 'systemd' })], code: 'system-pid' },
    { name: 'PID 0', owners: [processOwner(0)], code: 'system-pid' },
    {
      name: 'PID 4 as a process',
      owners: [processOwner(4, { name: 'System' })],
      platform: 'win32',
      code: 'system-pid',
    },
    { name: 'this process', owners: [processOwner(9000)], code: 'self' },
    { name: 'a parent of this process', owners: [processOwner(8998)], code: 'ancestor' },
    { name: 'facts unreadable', owners: [processOwner(4242, null)], code: 'unconfirmed' },
    { name: 'no start time', owners: [processOwner(4242, { startTime: null })], code: 'unconfirmed' },
    { name: 'critical process', owners: [processOwner(4242, { name: 'dbus-daemon' })], code: 'critical' },
    {
      name: 'lsass on Windows',
      owners: [processOwner(640, { name: 'lsass.exe', uid: null })],
      platform: 'win32',
      code: 'critical',
    },
    {
      name: 'another user',
      owners: [processOwner(4242, { uid: 1001, user: 'bob' })],
      code: 'needs-elevation',
    },
    { name: 'http.sys', owners: [httpSysOwner()], platform: 'win32', code: 'http-sys' },
    { name: 'hidden owner', owners: [hiddenOwner()], code: 'hidden' },
    { name: 'WSL relay', owners: [wslOwner()], platform: 'win32', code: 'wsl' },
    { name: 'stale forwarder', owners: [forwarderOwner()], code: 'forwarder' },
    {
      name: 'core Windows service',
      owners: [serviceOwner(1200, ['RpcSs'])],
      platform: 'win32',
      code: 'critical-service',
    },
    {
      name: 'svchost with several services',
      owners: [serviceOwner(1200, ['Spooler', 'Fax'])],
      platform: 'win32',
      code: 'ambiguous-service',
    },
    {
      name: 'systemd unit main process',
      owners: [
        processOwner(4242, {
          systemdUnit: 'web.service',
          ppid: 1,
          parentChain: [{ pid: 1, name: 'systemd' }],
        }),
      ],
      code: 'supervised',
    },
    {
      name: 'pm2 child',
      owners: [processOwner(4242, { parentChain: [{ pid: 600, name: 'PM2 v5.3.0: God' }] })],
      code: 'supervised',
    },
    {
      name: 'nodemon child (by name)',
      owners: [processOwner(4242, { parentChain: [{ pid: 600, name: 'nodemon' }] })],
      code: 'supervised',
    },
    {
      name: 'node running nodemon (by command line)',
      owners: [processOwner(4242, { parentChain: [{ pid: 600, name: 'node' }] })],
      options: {
        parentCommandLines: new Map([[600, 'node /usr/lib/node_modules/nodemon/bin/nodemon.js app.py']]),
      },
      code: 'supervised',
    },
    {
      name: 'supervisord grandchild',
      owners: [
        processOwner(4242, {
          parentChain: [
            { pid: 610, name: 'sh' },
            { pid: 600, name: 'supervisord' },
          ],
        }),
      ],
      code: 'supervised',
    },
    {
      name: 'forever child',
      owners: [processOwner(4242, { parentChain: [{ pid: 600, name: 'forever' }] })],
      code: 'supervised',
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} (${c.code}) and targets nothing`, () => {
      const result = planFor(c.owners, { ...c.options, platform: c.platform });
      assert.deepEqual(result.targets, []);
      assert.equal(result.nothingToStop, false);
      assert.deepEqual(
        result.refusals.map((r) => r.code),
        [c.code],
      );
      assert.ok(result.refusals[0]?.reason.length);
      // Word for word: the reason and the command are what a person acts on.
      const { owner, pid, reason, command } = result.refusals[0] ?? {};
      assert.deepEqual({ owner, pid, reason, command }, refusalWords[c.name], c.name);
    });
  }

  it('gives the elevated command for another user', () => {
    const [refusal] = planFor([processOwner(4242, { uid: 1001, user: 'bob' })], {
      selfCommand: ['node', '/opt/tapo port/tapo-port.cjs'],
    }).refusals;
    assert.equal(
      refusal?.command,
      "sudo node '/opt/tapo port/tapo-port.cjs' stop --port 7777 --host 0.0.0.0 --pid 4242",
    );
  });

  it("root may stop another user's process", () => {
    const result = planFor([processOwner(4242, { uid: 1001 })], { currentUid: 0 });
    assert.deepEqual(result.refusals, []);
    assert.equal(result.targets[0]?.kind, 'signal');
  });

  it('names the supervisor command', () => {
    const unit = planFor([
      processOwner(4242, { systemdUnit: 'web.service', parentChain: [{ pid: 1, name: 'systemd' }] }),
    ]).refusals[0];
    assert.deepEqual(unit?.supervisor, { kind: 'systemd', command: 'sudo systemctl stop web.service' });
    const user = planFor([
      processOwner(4242, {
        systemdUnit: 'web.service',
        systemdUserUnit: true,
        parentChain: [{ pid: 1, name: 'systemd' }],
      }),
    ]).refusals[0];
    assert.equal(user?.supervisor?.command, 'systemctl --user stop web.service');
    const nodemon = planFor([processOwner(4242, { parentChain: [{ pid: 600, name: 'nodemon' }] })])
      .refusals[0];
    assert.deepEqual(nodemon?.supervisor, { kind: 'nodemon', command: 'kill 600' });
    const pm2 = planFor([processOwner(4242, { parentChain: [{ pid: 600, name: 'PM2 v5.3.0: God' }] })])
      .refusals[0];
    assert.equal(pm2?.supervisor?.kind, 'pm2');
    assert.match(pm2?.reason ?? '', /pm2 stop <name>/);
  });

  it('a launchd KeepAlive job is reported with its label and bootout, never killed (it would come back)', () => {
    const job = (domain: string, keepAlive: boolean | null) => ({
      label: "com.example.web's agent",
      domain,
      keepAlive,
      plist: '/Users/a/Library/LaunchAgents/com.example.web.plist',
    });
    const agent = planFor(
      [
        processOwner(4242, {
          ppid: 1,
          parentChain: [{ pid: 1, name: 'launchd' }],
          launchdJob: job('gui/1000', true),
        }),
      ],
      { platform: 'darwin' },
    );
    assert.deepEqual(agent.targets, []);
    assert.deepEqual(agent.refusals[0]?.supervisor, {
      kind: 'launchd',
      command: "launchctl bootout 'gui/1000/com.example.web'\\''s agent'",
    });
    assert.match(
      agent.refusals[0]?.reason ?? '',
      /launchd job com\.example\.web's agent \(gui\/1000, KeepAlive\)/,
    );
    assert.match(agent.refusals[0]?.reason ?? '', /which would start it again; stop it there/);
    const daemon = planFor(
      [
        processOwner(4242, {
          ppid: 1,
          parentChain: [{ pid: 1, name: 'launchd' }],
          launchdJob: job('system', null),
        }),
      ],
      { platform: 'darwin' },
    );
    assert.equal(
      daemon.refusals[0]?.supervisor?.command,
      "sudo launchctl bootout 'system/com.example.web'\\''s agent'",
    );
    // launchd said it does not keep the job alive: an ordinary stop works.
    const once = planFor(
      [
        processOwner(4242, {
          ppid: 1,
          parentChain: [{ pid: 1, name: 'launchd' }],
          launchdJob: job('gui/1000', false),
        }),
      ],
      { platform: 'darwin' },
    );
    assert.equal(once.targets[0]?.pid, 4242);
  });

  it('a process a service merely spawned is not that service (no systemd parent)', () => {
    const result = planFor([
      processOwner(4242, { systemdUnit: 'cron.service', parentChain: [{ pid: 300, name: 'cron' }] }),
    ]);
    assert.equal(result.targets[0]?.kind, 'signal');
  });

  it('a node parent that is not a supervisor is no reason to refuse', () => {
    const result = planFor([processOwner(4242, { parentChain: [{ pid: 600, name: 'node' }] })], {
      parentCommandLines: new Map([[600, 'node server.js']]),
    });
    assert.equal(result.targets.length, 1);
  });
});

describe('planStop targets', () => {
  it('signals an ordinary process of this user, with its identity and parent', () => {
    const { targets, refusals, nothingToStop } = planFor([processOwner(4242)]);
    assert.equal(nothingToStop, false);
    assert.deepEqual(refusals, []);
    assert.equal(targets.length, 1);
    const [target] = targets;
    assert.equal(target?.kind, 'signal');
    assert.equal(target?.pid, 4242);
    assert.equal(target?.startTime, START);
    assert.equal(target?.parentPid, 500);
    assert.equal(target?.parentName, 'bash');
    assert.equal(target?.supervisor, null);
  });

  it('closes a Windows process with taskkill, not a signal', () => {
    const [target] = planFor([processOwner(4242, { uid: null })], {
      currentUid: null,
      platform: 'win32',
    }).targets;
    assert.equal(target?.kind, 'windows-close');
  });

  it('stops a single Windows service as a service', () => {
    const [target] = planFor([serviceOwner(1200, ['Spooler'])], {
      currentUid: null,
      platform: 'win32',
    }).targets;
    assert.equal(target?.kind, 'windows-service');
    assert.equal(target?.serviceName, 'Spooler');
  });

  it('stops a container through Docker, never its forwarder, naming compose and the restart policy', () => {
    const result = planFor([
      containerOwner({ composeProject: 'tapo', composeService: 'web', restartPolicy: 'unless-stopped' }),
    ]);
    assert.deepEqual(result.refusals, []);
    assert.equal(result.targets.length, 1);
    const [target] = result.targets;
    assert.equal(target?.kind, 'container');
    assert.equal(target?.pid, null, 'the forwarder PID is never a target');
    assert.equal(target?.containerName, 'web7777');
    assert.match(target?.description ?? '', /compose project tapo, service web/);
    assert.match(target?.why ?? '', /docker-proxy.*left alone/);
    assert.match(target?.restartPolicyWarning ?? '', /unless-stopped.*docker update --restart no web7777/);
    assert.equal(planFor([containerOwner({ restartPolicy: 'no' })]).targets[0]?.restartPolicyWarning, null);
  });

  it('targets every owner of a SO_REUSEPORT pair', () => {
    const { targets } = planFor([processOwner(4242), processOwner(4243)]);
    assert.deepEqual(
      targets.map((t) => t.pid),
      [4242, 4243],
    );
  });

  it('acts on what it may and refuses the rest', () => {
    const { targets, refusals } = planFor([processOwner(4242), hiddenOwner()]);
    assert.equal(targets.length, 1);
    assert.deepEqual(
      refusals.map((r) => r.code),
      ['hidden'],
    );
  });

  it('says nothing to stop when nobody holds the port', () => {
    assert.deepEqual(planFor([]), { targets: [], refusals: [], nothingToStop: true });
  });
});

describe('planStop selection (--pid, --container)', () => {
  const owners = [processOwner(4242), processOwner(4243), containerOwner({ name: 'db' })];

  it('--pid picks that owner only', () => {
    const { targets } = planFor(owners, { pid: 4243 });
    assert.deepEqual(
      targets.map((t) => t.pid),
      [4243],
    );
  });

  it('--container picks by name or id prefix', () => {
    assert.equal(planFor(owners, { container: 'db' }).targets[0]?.containerName, 'db');
    assert.equal(planFor(owners, { container: '/db' }).targets[0]?.containerName, 'db');
    assert.equal(planFor(owners, { container: '92fcd1a9' }).targets[0]?.containerName, 'db');
  });

  it('refuses --pid of the forwarder and points at the container', () => {
    const { targets, refusals } = planFor(owners, { pid: 3210 });
    assert.deepEqual(targets, []);
    assert.equal(refusals[0]?.code, 'forwarder');
    assert.match(refusals[0]?.reason ?? '', /--container db/);
  });

  it('an owner that does not hold the port is E_NOT_AN_OWNER', () => {
    for (const options of [{ pid: 5555 }, { container: 'nope' }, { container: '92f' }]) {
      assert.throws(
        () => planFor(owners, options),
        (error: unknown) =>
          error instanceof TapoError && error.code === 'E_NOT_AN_OWNER' && error.exitCode === 2,
      );
    }
  });

  it('a request for PID 1, this process or a parent is refused even when it holds nothing', () => {
    for (const [pid, code] of [
      [1, 'system-pid'],
      [9000, 'self'],
      [8999, 'ancestor'],
    ] as const) {
      const result = planFor(owners, { pid });
      assert.deepEqual(result.targets, []);
      assert.equal(result.refusals[0]?.code, code);
    }
  });
});

describe('planStop: findings of the safety review', () => {
  it('a service hosted by an ancestor of tapo-port (sshd over OpenSSH) is refused, not stopped', () => {
    const result = planFor([serviceOwner(8999, ['sshd'])], { ancestorPids: [8999], platform: 'win32' });
    assert.deepEqual(result.targets, []);
    assert.equal(result.refusals[0]?.code, 'ancestor');
  });

  it('"nothing to stop" only for a free port: in use with no owner to name is a refusal', () => {
    const inUse = planStop(
      checkData([], { status: 'in-use', summary: 'Port 7777 on 0.0.0.0 is in use.' }),
      stopOptions,
    );
    assert.equal(inUse.nothingToStop, false);
    assert.equal(inUse.refusals[0]?.code, 'unconfirmed');
    assert.equal(planStop(checkData([]), stopOptions).nothingToStop, true);
  });

  it('a container id prefix that fits several containers names none of them', () => {
    const owners = [
      containerOwner({ id: 'abcd1111'.padEnd(64, '0'), name: 'one' }),
      containerOwner({ id: 'abcd2222'.padEnd(64, '0'), name: 'two' }),
    ];
    assert.throws(() => planFor(owners, { container: 'abcd' }), { code: 'E_NOT_AN_OWNER' });
    assert.equal(planFor(owners, { container: 'abcd1' }).targets[0]?.containerName, 'one');
  });
});

describe('planStop with confirmed targets (--confirmed)', () => {
  const python = processOwner(4242);
  const worker = processOwner(4243, { ppid: 4242 });
  const web = containerOwner();
  const keyOf = (owners: Owner[]) => planFor(owners).targets.map(stopTargetKey);

  it('names a process by PID and start time, and a container by its full id', () => {
    assert.deepEqual(keyOf([python]), [`4242@${START}`]);
    assert.deepEqual(keyOf([web]), [`container:${web.container?.id}`]);
  });

  it('keeps every target when each was confirmed, whatever the order', () => {
    const confirmed = [...keyOf([worker]), ...keyOf([python])];
    const result = planFor([python, worker], { confirmed });
    assert.deepEqual(
      result.targets.map((t) => t.pid),
      [4242, 4243],
    );
    assert.deepEqual(result.refusals, []);
  });

  it('stops nothing when a target was not confirmed, and says which one is new', () => {
    const result = planFor([python, worker], { confirmed: keyOf([python]) });
    assert.deepEqual(result.targets, []);
    assert.equal(result.nothingToStop, false);
    assert.deepEqual(
      result.refusals.map((r) => [r.pid, r.code]),
      [
        [4242, 'unconfirmed'],
        [4243, 'unconfirmed'],
      ],
    );
    assert.match(result.refusals[0]?.reason ?? '', /also held by process 4243, which you did not confirm/);
    assert.match(result.refusals[1]?.reason ?? '', /was not among the holders you confirmed/);
  });

  it('treats the same PID with another start time as another process (a reused PID)', () => {
    const confirmed = [`4242@2026-01-01T00:00:00.000Z`];
    assert.deepEqual(planFor([python], { confirmed }).targets, []);
  });

  it('keeps the refusals the plan had anyway, beside the unconfirmed ones', () => {
    const result = planFor([python, processOwner(1, { name: 'systemd' })], { confirmed: [] });
    assert.deepEqual(result.refusals.map((r) => r.code).sort(), ['system-pid', 'unconfirmed']);
  });

  it('changes nothing without --confirmed', () => {
    assert.deepEqual(planFor([python, worker]).targets.length, 2);
  });
});

// --pid and --container: which owner each selects, and the exact error when none or several fit.
describe('planStop: choosing the owner with --pid and --container', () => {
  const web = containerOwner({ name: 'web7777' }, 3210);
  const api = containerOwner(
    { name: 'api7777', id: '92fcd1a9ffff0000000000000000000000000000000000000000000000000000' },
    3211,
  );
  const python = processOwner(4242, { name: 'python3' });
  const errorOf = (owners: Owner[], options: Partial<StopPlanOptions>): unknown => {
    try {
      planFor(owners, options);
    } catch (error) {
      return { code: (error as { code?: string }).code, message: (error as Error).message };
    }
    return null;
  };

  it('--pid of the process: that process only', () => {
    assert.deepEqual(
      planFor([python, web], { pid: 4242 }).targets.map((t) => t.pid),
      [4242],
    );
  });
  it("--pid of a container's forwarder: refused, pointing at --container", () => {
    const result = planFor([python, web], { pid: 3210 });
    assert.deepEqual(result.targets, []);
    assert.equal(result.refusals[0]?.code, 'forwarder');
    assert.match(
      result.refusals[0]?.reason ?? '',
      /for container web7777; stop the container instead \(--container web7777\)/,
    );
  });
  it('--pid that holds nothing: E_NOT_AN_OWNER listing who does', () => {
    assert.deepEqual(errorOf([python, web], { pid: 5555 }), {
      code: 'E_NOT_AN_OWNER',
      message: 'PID 5555 does not hold port 7777 on 0.0.0.0 (held by PID 4242, container web7777)',
    });
    assert.deepEqual(errorOf([hiddenOwner()], { pid: 5555 }), {
      code: 'E_NOT_AN_OWNER',
      message: 'PID 5555 does not hold port 7777 on 0.0.0.0 (held by hidden)',
    });
    assert.deepEqual(errorOf([], { pid: 5555 }), {
      code: 'E_NOT_AN_OWNER',
      message: 'PID 5555 does not hold port 7777 on 0.0.0.0 (nobody holds it)',
    });
  });
  it('--pid of a guarded PID that holds nothing: refused for what it is, not "not an owner"', () => {
    const result = planFor([python], { pid: 1 });
    assert.deepEqual(
      result.refusals.map((r) => [r.code, r.pid, r.owner]),
      [['system-pid', 1, 'PID 1']],
    );
  });
  const byName: [string, string, string[]][] = [
    ['its name', 'web7777', ['web7777']],
    ["its name with docker's leading slash", '/web7777', ['web7777']],
    ['a unique id prefix of 4 or more', '92fcd1a9e1', ['web7777']],
  ];
  for (const [how, wanted, expected] of byName) {
    it(`--container by ${how}`, () => {
      assert.deepEqual(
        planFor([web, api, python], { container: wanted }).targets.map(
          (t) => t.description.match(/container (\S+)/)?.[1],
        ),
        expected,
      );
    });
  }
  it('--container: an id prefix that fits two names neither', () => {
    assert.deepEqual(errorOf([web, api], { container: '92fcd1a9' }), {
      code: 'E_NOT_AN_OWNER',
      message: 'container "92fcd1a9" fits 2 containers; give more of the id or the name',
    });
  });
  it('--container: three characters or a non-hex text are never an id prefix', () => {
    assert.deepEqual(errorOf([web], { container: '92f' }), {
      code: 'E_NOT_AN_OWNER',
      message: 'container "92f" does not publish port 7777 on 0.0.0.0 (held by container web7777)',
    });
    assert.deepEqual(errorOf([web], { container: 'x92fcd1a9' }), {
      code: 'E_NOT_AN_OWNER',
      message: 'container "x92fcd1a9" does not publish port 7777 on 0.0.0.0 (held by container web7777)',
    });
    assert.deepEqual(errorOf([web], { container: '92fcd1a9x' }), {
      code: 'E_NOT_AN_OWNER',
      message: 'container "92fcd1a9x" does not publish port 7777 on 0.0.0.0 (held by container web7777)',
    });
  });
  it('--container with exactly four id characters selects', () => {
    assert.equal(planFor([web], { container: '92fc' }).targets.length, 1);
  });
});
