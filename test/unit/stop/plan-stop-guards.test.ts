// planStop, word for word: owners missing facts, which guard wins when two apply, what --pid
// selects, and every field of the targets a person is shown before anything is stopped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planStop, stopTargetKey } from '../../../src/stop/plan-stop.ts';
import type { StopPlanOptions, StopRefusal, StopTarget } from '../../../src/stop/stop-plan-types.ts';
import { emptyOwner, type Owner } from '../../../src/owners/owner.ts';
import {
  START,
  checkData,
  containerOwner,
  forwarderOwner,
  httpSysOwner,
  processFacts,
  processOwner,
  serviceOwner,
  wslOwner,
  planFor,
  stopOptions,
} from './stop-fakes.ts';

type Said = Pick<StopRefusal, 'code' | 'owner' | 'pid' | 'reason' | 'command'>;

/** The one refusal of a plan that stops nothing, as the person reads it. */
function onlyRefusal(owners: Owner[], options: Partial<StopPlanOptions> = {}): Said {
  const result = planFor(owners, options);
  assert.deepEqual(result.targets, [], 'nothing is stopped');
  assert.equal(result.nothingToStop, false);
  assert.equal(result.refusals.length, 1);
  const [{ code, owner, pid, reason, command }] = result.refusals as [StopRefusal];
  return { code, owner, pid, reason, command };
}

/** An owner of `kind` with none of the facts its kind normally carries. */
const ofKind = (kind: Owner['kind'], pid: number | null, fields: Partial<Owner> = {}): Owner =>
  emptyOwner(kind, pid, { description: `${kind} ${pid ?? ''}`.trim(), ...fields });

describe('planStop: an owner whose facts are missing is refused, and the reason says what is missing', () => {
  const cases: { name: string; owners: Owner[]; options?: Partial<StopPlanOptions>; said: Said }[] = [
    {
      name: 'a container without container facts',
      owners: [ofKind('container', null)],
      said: {
        code: 'unconfirmed',
        owner: 'container',
        pid: null,
        reason:
          'Docker gave no facts about this container, so it cannot be stopped through Docker. Check the port again.',
        command: null,
      },
    },
    {
      name: 'a forwarder without forwarder facts',
      owners: [ofKind('forwarder', null)],
      said: {
        code: 'forwarder',
        owner: 'forwarder',
        pid: null,
        reason:
          'A Docker forwarder holds the port but no container publishes it (a stale forwarder, or Docker did not answer); restart Docker rather than killing the forwarder.',
        command: 'docker ps --filter publish=7777',
      },
    },
    {
      name: 'a WSL relay without forwarder facts',
      owners: [ofKind('wsl', null)],
      options: { platform: 'win32', currentUid: null },
      said: {
        code: 'wsl',
        owner: 'wsl',
        pid: null,
        reason:
          'The port is relayed from a Linux program inside WSL; stop that program inside WSL (never the relay wslrelay). Find it with the command shown.',
        command: "wsl -e ss -ltnp 'sport = :7777'",
      },
    },
    {
      name: 'a hidden owner without the facts of why it is hidden (no command to show)',
      owners: [ofKind('hidden', null)],
      said: {
        code: 'hidden',
        owner: 'hidden',
        pid: null,
        reason: 'the owning process cannot be read; look at the port with elevated rights and stop it there.',
        command: null,
      },
    },
    {
      name: 'a service process whose services were not read',
      owners: [{ ...serviceOwner(1200, []), services: null }],
      options: { platform: 'win32', currentUid: null },
      said: {
        code: 'unconfirmed',
        owner: 'service 1200',
        pid: 1200,
        reason:
          'PID 1200 runs a Windows service that could not be named, so none is stopped. Check the port again.',
        command: null,
      },
    },
    {
      name: 'a service owner with neither PID nor service names',
      owners: [{ ...serviceOwner(1200, []), pid: null, process: null, description: 'service' }],
      options: { platform: 'win32', currentUid: null },
      said: {
        code: 'unconfirmed',
        owner: 'service',
        pid: null,
        reason:
          'PID ? runs a Windows service that could not be named, so none is stopped. Check the port again.',
        command: null,
      },
    },
    {
      name: 'several services in a process whose PID is unknown',
      owners: [
        { ...serviceOwner(1200, ['Spooler', 'Fax']), pid: null, process: null, description: 'service' },
      ],
      options: { platform: 'win32', currentUid: null },
      said: {
        code: 'ambiguous-service',
        owner: 'service',
        pid: null,
        reason:
          'PID ? hosts several services (Spooler, Fax); only one holds the port, so none is stopped blindly. Stop the right one yourself.',
        command: 'Stop-Service -Name Spooler; Stop-Service -Name Fax',
      },
    },
    {
      name: 'a process the socket table gave no PID for',
      owners: [{ ...processOwner(4242), pid: null, description: 'process' }],
      said: {
        code: 'unconfirmed',
        owner: 'process',
        pid: 4242,
        reason: 'the socket table gives no PID for this owner',
        command: null,
      },
    },
    {
      name: "another user's process with neither a name nor a user name",
      owners: [processOwner(4242, { name: null, uid: 1001, user: null })],
      said: {
        code: 'needs-elevation',
        owner: 'process 4242',
        pid: 4242,
        reason: 'unknown process (PID 4242) belongs to uid 1001; only that user or root may stop it.',
        command: 'sudo tapo-port stop --port 7777 --host 0.0.0.0 --pid 4242',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(onlyRefusal(c.owners, c.options), c.said));
  }

  it('a port in use with no owner to name: refused with the check summary, not "nothing to stop"', () => {
    const result = planStop(
      checkData([], { status: 'in-use', summary: 'Port 7777 on 0.0.0.0 is in use.' }),
      stopOptions,
    );
    assert.deepEqual(result, {
      targets: [],
      refusals: [
        {
          owner: 'port 7777',
          pid: null,
          reason: 'Port 7777 on 0.0.0.0 is in use. No owner can be named, so nothing is stopped.',
          code: 'unconfirmed',
          command: null,
          supervisor: null,
        },
      ],
      nothingToStop: false,
    });
  });
});

describe('planStop: Windows services sharing a process', () => {
  const win: Partial<StopPlanOptions> = { platform: 'win32', currentUid: null };

  it('several services Windows needs: all named, in the plural', () => {
    assert.deepEqual(onlyRefusal([serviceOwner(1200, ['RpcSs', 'DcomLaunch'])], win), {
      code: 'critical-service',
      owner: 'service 1200',
      pid: 1200,
      reason: 'RpcSs, DcomLaunch are services Windows needs; use another port.',
      command: null,
    });
  });

  it('one ordinary service beside one Windows needs: ambiguous, and only the ordinary one is offered', () => {
    assert.deepEqual(onlyRefusal([serviceOwner(1200, ['Spooler', 'RpcSs'])], win), {
      code: 'ambiguous-service',
      owner: 'service 1200',
      pid: 1200,
      reason:
        'PID 1200 hosts several services (Spooler, RpcSs); only one holds the port, so none is stopped blindly. Stop the right one yourself.',
      command: 'Stop-Service -Name Spooler',
    });
  });
});

describe('planStop: which refusal wins when two guards apply', () => {
  const unit = { systemdUnit: 'web.service', ppid: 1, parentChain: [{ pid: 1, name: 'systemd' }] };
  const cases: { name: string; owners: Owner[]; options?: Partial<StopPlanOptions>; said: Said }[] = [
    {
      name: 'PID 1 is also an ancestor of tapo-port: system PID first',
      owners: [processOwner(1, { name: 'systemd' })],
      options: { ancestorPids: [8999, 1] },
      said: {
        code: 'system-pid',
        owner: 'process 1',
        pid: 1,
        reason: 'PID 1 is init (systemd), the root of every process; it is never stopped.',
        command: null,
      },
    },
    {
      name: 'PID 1 whose facts could not be read: system PID before unreadable',
      owners: [processOwner(1, null)],
      said: {
        code: 'system-pid',
        owner: 'process 1',
        pid: 1,
        reason: 'PID 1 is init (systemd), the root of every process; it is never stopped.',
        command: null,
      },
    },
    {
      name: 'tapo-port itself without a start time: self before unreadable',
      owners: [processOwner(9000, { startTime: null })],
      said: {
        code: 'self',
        owner: 'process 9000',
        pid: 9000,
        reason: 'PID 9000 is tapo-port itself.',
        command: null,
      },
    },
    {
      name: 'an ancestor that is also critical: ancestor first',
      owners: [processOwner(8999, { name: 'dbus-daemon' })],
      said: {
        code: 'ancestor',
        owner: 'process 8999',
        pid: 8999,
        reason: 'PID 8999 started tapo-port (a parent of this process); stopping it would stop us too.',
        command: null,
      },
    },
    {
      name: 'a critical process without a start time: unreadable first (it may not be the same process)',
      owners: [processOwner(4242, { name: 'dbus-daemon', startTime: null })],
      said: {
        code: 'unconfirmed',
        owner: 'process 4242',
        pid: 4242,
        reason:
          'PID 4242 could not be read fully (no start time); it may have exited and its number been reused. Run the command again.',
        command: null,
      },
    },
    {
      name: 'a critical process that a systemd unit runs: critical before supervised',
      owners: [processOwner(4242, { ...unit, name: 'dbus-daemon', systemdUnit: 'dbus.service' })],
      said: {
        code: 'critical',
        owner: 'process 4242',
        pid: 4242,
        reason: 'dbus-daemon (PID 4242) is part of the operating system; use another port.',
        command: null,
      },
    },
    {
      name: "another user's process run by a systemd unit: supervised before needs-elevation",
      owners: [processOwner(4242, { ...unit, uid: 1001, user: 'bob' })],
      said: {
        code: 'supervised',
        owner: 'process 4242',
        pid: 4242,
        reason:
          'python3 (PID 4242) is run by systemd unit web.service, which would start it again; stop it there.',
        command: 'sudo systemctl stop web.service',
      },
    },
    {
      name: 'a service Windows needs in a process that started tapo-port: ancestor first',
      owners: [serviceOwner(8999, ['RpcSs'])],
      options: { platform: 'win32', currentUid: null },
      said: {
        code: 'ancestor',
        owner: 'service 8999',
        pid: 8999,
        reason: 'PID 8999 started tapo-port (a parent of this process); stopping it would stop us too.',
        command: null,
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(onlyRefusal(c.owners, c.options), c.said));
  }

  it('an owner whose user is unknown (or when our own uid is unknown) is not refused for elevation', () => {
    for (const [facts, options] of [
      [{ uid: null, user: null }, {}],
      [{ uid: 1001, user: 'bob' }, { currentUid: null }],
    ] as const) {
      const result = planFor([processOwner(4242, facts)], options);
      assert.deepEqual(result.refusals, []);
      assert.deepEqual(
        result.targets.map((t) => t.pid),
        [4242],
      );
    }
  });
});

describe('planStop: what --pid selects, and the refusal it gets', () => {
  it('--pid 4 on a port http.sys holds: the http.sys refusal with its netsh command', () => {
    assert.deepEqual(onlyRefusal([httpSysOwner()], { pid: 4, platform: 'win32', currentUid: null }), {
      code: 'http-sys',
      owner: 'http.sys',
      pid: 4,
      reason:
        'PID 4 is the Windows kernel (http.sys) serving URLs registered by other programs; stop the service that registered the URL, never PID 4.',
      command: 'netsh http show servicestate view=requestq',
    });
  });

  it('--pid 1 when PID 1 holds the port: refused as that owner, not as a bare PID', () => {
    const owner = {
      ...processOwner(1, { name: 'systemd' }),
      description: 'systemd (PID 1) listening on 0.0.0.0:7777',
    };
    assert.deepEqual(onlyRefusal([owner], { pid: 1 }), {
      code: 'system-pid',
      owner: 'systemd (PID 1) listening on 0.0.0.0:7777',
      pid: 1,
      reason: 'PID 1 is init (systemd), the root of every process; it is never stopped.',
      command: null,
    });
  });

  it('--pid of tapo-port itself on a free port: refused, never "nothing to stop"', () => {
    const result = planStop(checkData([]), { ...stopOptions, pid: 9000 });
    assert.deepEqual(result, {
      targets: [],
      refusals: [
        {
          owner: 'PID 9000',
          pid: 9000,
          reason: 'PID 9000 is tapo-port itself.',
          code: 'self',
          command: null,
          supervisor: null,
        },
      ],
      nothingToStop: false,
    });
  });

  it('--pid of a holder whose facts could not be read selects it, and it is refused as unreadable', () => {
    assert.deepEqual(onlyRefusal([processOwner(4242, null), processOwner(4243)], { pid: 4242 }), {
      code: 'unconfirmed',
      owner: 'process 4242',
      pid: 4242,
      reason:
        'PID 4242 could not be read; it may have exited and its number been reused. Run the command again.',
      command: null,
    });
  });

  it('--pid of a stale forwarder: the stale forwarder refusal (restart Docker), not "stop the container"', () => {
    assert.deepEqual(onlyRefusal([forwarderOwner(3210)], { pid: 3210 }), {
      code: 'forwarder',
      owner: 'forwarder',
      pid: 3210,
      reason:
        'Docker (docker-proxy) holds the port but no container publishes it (a stale forwarder, or Docker did not answer); restart Docker rather than killing the forwarder.',
      command: 'docker ps --filter publish=7777',
    });
  });

  it('--pid of a WSL relay: the WSL refusal', () => {
    assert.deepEqual(onlyRefusal([wslOwner(6000)], { pid: 6000, platform: 'win32', currentUid: null }), {
      code: 'wsl',
      owner: 'wsl',
      pid: 6000,
      reason:
        'The port is relayed from a Linux program inside WSL; stop that program inside WSL (never the relay wslrelay.exe). Find it with the command shown.',
      command: "wsl -e ss -ltnp 'sport = :7777'",
    });
  });

  it('--pid of the forwarder of a container Docker gave no facts about: refused without a container to name', () => {
    const owner = { ...containerOwner(), container: null, description: 'container' };
    assert.deepEqual(onlyRefusal([owner], { pid: 3210 }), {
      code: 'forwarder',
      owner: 'container',
      pid: null,
      reason:
        'PID 3210 is Docker (docker-proxy), which only forwards the port. Killing it would not free the port for long and breaks Docker.',
      command: null,
    });
  });

  it('--pid of the process inside a host-network container: the container is stopped through Docker', () => {
    const hostNetwork: Owner = {
      ...containerOwner({ name: 'hostnet', networkMode: 'host' }),
      forwarder: null,
      process: processFacts(4242, { name: 'nginx' }),
    };
    const result = planFor([hostNetwork], { pid: 4242 });
    assert.deepEqual(result.refusals, []);
    assert.deepEqual(
      result.targets.map((t) => [t.kind, t.pid, t.containerName]),
      [['container', null, 'hostnet']],
    );
  });

  it('--container keeps a slash inside the text: "web/7777" does not name web7777', () => {
    assert.throws(() => planFor([containerOwner({ name: 'web7777' })], { container: 'web/7777' }), {
      code: 'E_NOT_AN_OWNER',
      message: 'container "web/7777" does not publish port 7777 on 0.0.0.0 (held by container web7777)',
    });
  });
});

describe('planStop targets, every field', () => {
  const signal: StopTarget = {
    kind: 'signal',
    pid: 4242,
    startTime: START,
    name: 'python3',
    description: 'process 4242',
    why: 'It listens on the port itself; it gets SIGTERM first so it can shut down cleanly.',
    parentPid: 500,
    parentName: 'bash',
    containerId: null,
    containerName: null,
    serviceName: null,
    unit: null,
    restartPolicyWarning: null,
    supervisor: null,
  };
  const service: StopTarget = {
    ...signal,
    kind: 'windows-service',
    pid: 1200,
    name: 'Spooler',
    description: 'Windows service Spooler (PID 1200)',
    why: 'A service is stopped through the Service Control Manager: killing its process would make Windows restart it (recovery actions) or leave it marked as failed.',
    serviceName: 'Spooler',
    parentPid: 700,
    parentName: 'services.exe',
  };
  const container: StopTarget = {
    ...signal,
    kind: 'container',
    pid: null,
    startTime: null,
    name: 'web7777',
    description: 'Docker container web7777',
    why: 'The container publishes the port; it is stopped through the Docker API, which ends its published ports. Docker (docker-proxy) (docker-proxy, PID 3210) only forwards the port and is left alone.',
    parentPid: null,
    parentName: null,
    containerId: '92fcd1a9e13baa544d64a56b40b28c5a0ae414596d09dd3ff08c36f3a983bf25',
    containerName: 'web7777',
  };
  const win: Partial<StopPlanOptions> = { platform: 'win32', currentUid: null };
  const cases: { name: string; owners: Owner[]; options?: Partial<StopPlanOptions>; target: StopTarget }[] = [
    { name: 'an ordinary process on Linux gets SIGTERM first', owners: [processOwner(4242)], target: signal },
    {
      name: 'an ordinary process on Windows is asked to close first',
      owners: [processOwner(4242, { uid: null })],
      options: win,
      target: {
        ...signal,
        kind: 'windows-close',
        why: 'It listens on the port itself; it is asked to close first (WM_CLOSE to its window, Ctrl+C to a console program) before anything forceful.',
      },
    },
    {
      name: 'an earlier dashboard is stopped like any process of ours',
      owners: [{ ...processOwner(4242), kind: 'dashboard', description: 'an earlier Tapo dashboard' }],
      target: { ...signal, description: 'an earlier Tapo dashboard' },
    },
    {
      name: 'a process without a name or known parents',
      owners: [processOwner(4242, { name: null, ppid: null, parentChain: [] })],
      target: { ...signal, name: 'unknown process', parentPid: null, parentName: null },
    },
    {
      name: 'a single ordinary Windows service, through the Service Control Manager',
      owners: [serviceOwner(1200, ['Spooler'])],
      options: win,
      target: service,
    },
    {
      name: 'a Windows service whose process facts could not be read',
      owners: [{ ...serviceOwner(1200, ['Spooler']), process: null }],
      options: win,
      target: { ...service, startTime: null, parentPid: null, parentName: null },
    },
    {
      name: 'a Windows service whose parents are unknown',
      owners: [
        {
          ...serviceOwner(1200, ['Spooler']),
          process: processFacts(1200, { name: 'svchost.exe', uid: null, ppid: null, parentChain: [] }),
        },
      ],
      options: win,
      target: { ...service, parentPid: null, parentName: null },
    },
    {
      name: 'a Windows service whose PID is unknown',
      owners: [{ ...serviceOwner(1200, ['Spooler']), pid: null }],
      options: win,
      target: { ...service, pid: null, description: 'Windows service Spooler (PID ?)' },
    },
    {
      name: 'a container, with its forwarder named and left alone',
      owners: [containerOwner()],
      target: container,
    },
    {
      name: 'a container whose forwarder has no name or PID',
      owners: [
        {
          ...containerOwner(),
          forwarder: {
            product: 'Docker Desktop',
            name: null,
            pid: null,
            stale: false,
            wslDistribution: null,
          },
        },
      ],
      target: {
        ...container,
        why: 'The container publishes the port; it is stopped through the Docker API, which ends its published ports. Docker Desktop (?, PID ?) only forwards the port and is left alone.',
      },
    },
    {
      name: 'a host-network container (no forwarder)',
      owners: [{ ...containerOwner(), forwarder: null }],
      target: {
        ...container,
        why: 'The container publishes the port; it is stopped through the Docker API, which ends its published ports.',
      },
    },
    {
      name: 'a compose container whose service label is missing, restarted always',
      owners: [containerOwner({ composeProject: 'tapo', composeService: null, restartPolicy: 'always' })],
      target: {
        ...container,
        description: 'Docker container web7777 (compose project tapo, service ?)',
        restartPolicyWarning:
          'Its restart policy "always" starts it again when Docker restarts; keep it stopped with: docker update --restart no web7777',
      },
    },
    {
      name: 'a container restarted on failure only: no restart warning',
      owners: [containerOwner({ restartPolicy: 'on-failure' })],
      target: container,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = planFor(c.owners, c.options);
      assert.deepEqual(result, { targets: [c.target], refusals: [], nothingToStop: false });
    });
  }
});

describe('planStop with --confirmed: the words about targets that were not confirmed', () => {
  it('names every newcomer, separated by semicolons', () => {
    const owners = [processOwner(4242), processOwner(4243), processOwner(4244)];
    const result = planFor(owners, { confirmed: [`4242@${START}`] });
    assert.deepEqual(result.targets, []);
    assert.deepEqual(
      result.refusals.map((r) => [r.owner, r.reason]),
      [
        [
          'process 4242',
          'Not stopped: the port is now also held by process 4243; process 4244, which you did not confirm; nothing is stopped until you confirm again.',
        ],
        [
          'process 4243',
          'It holds the port now but was not among the holders you confirmed; nothing is stopped without asking. Check the port again and confirm what it shows.',
        ],
        [
          'process 4244',
          'It holds the port now but was not among the holders you confirmed; nothing is stopped without asking. Check the port again and confirm what it shows.',
        ],
      ],
    );
  });

  // parseConfirmedTargets accepts only PID@START-TIME, so such a target cannot be confirmed and
  // a confirmed run refuses it: safe, though the person cannot get past it with --confirmed.
  it('a target without a start time is named by its PID alone', () => {
    const [target] = planFor([{ ...serviceOwner(1200, ['Spooler']), process: null }], {
      platform: 'win32',
      currentUid: null,
    }).targets;
    assert.equal(stopTargetKey(target as StopTarget), '1200@');
  });
});
