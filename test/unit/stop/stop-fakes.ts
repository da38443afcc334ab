// Builders for the stop unit tests: CheckData around a list of owners, and owners of each kind.
import type { CheckData } from '../../../src/check/run-check.ts';
import type { ContainerFacts } from '../../../src/docker/container-facts.ts';
import type { Owner } from '../../../src/owners/owner.ts';
import { planStop } from '../../../src/stop/plan-stop.ts';
import type { StopPlan, StopPlanOptions } from '../../../src/stop/stop-plan-types.ts';
import { emptyProcessFacts, type ProcessFacts } from '../../../src/owners/process-facts.ts';

export const START = '2026-01-01T10:00:00.000Z';

/** The stop options the planner tests start from: tapo-port is PID 9000, run by uid 1000 from a shell. */
export const stopOptions: StopPlanOptions = {
  force: false,
  timeoutSeconds: 10,
  selfPid: 9000,
  ancestorPids: [8999, 8998],
  currentUid: 1000,
  platform: 'linux',
};

/** planStop over a check that found `owners`, on `options.platform` (Linux unless given). */
export function planFor(owners: Owner[], options: Partial<StopPlanOptions> = {}): StopPlan {
  const platform = options.platform ?? stopOptions.platform;
  return planStop(checkData(owners, { platform }), { ...stopOptions, ...options, platform });
}

export function checkData(owners: Owner[], fields: Partial<CheckData> = {}): CheckData {
  return {
    platform: 'linux',
    host: '0.0.0.0',
    address: '0.0.0.0',
    port: 7777,
    status: owners.length === 0 ? 'free' : 'in-use',
    summary: owners.length === 0 ? 'free' : 'in use',
    owners,
    listeners: [],
    reservedRange: null,
    dynamicPortRange: null,
    probe: { outcome: owners.length === 0 ? 'bound' : 'in-use', errno: null },
    docker: {
      state: 'ok',
      endpoint: 'unix:///var/run/docker.sock',
      endpointSource: 'default',
      message: null,
    },
    nextFreePort: null,
    fixes: [],
    ...fields,
  };
}

export function processFacts(pid: number, fields: Partial<ProcessFacts> = {}): ProcessFacts {
  return {
    ...emptyProcessFacts(pid),
    name: 'python3',
    uid: 1000,
    user: 'dev',
    startTime: START,
    ppid: 500,
    parentChain: [
      { pid: 500, name: 'bash' },
      { pid: 1, name: 'systemd' },
    ],
    ...fields,
    pid,
  };
}

function blank(kind: Owner['kind'], pid: number | null): Owner {
  return {
    kind,
    pid,
    description: `${kind} ${pid ?? ''}`.trim(),
    addresses: ['0.0.0.0'],
    process: null,
    container: null,
    forwarder: null,
    services: null,
    httpSys: null,
    dashboard: null,
    hidden: null,
  };
}

/** A process owner; `facts: null` gives one whose facts could not be read. */
export function processOwner(pid: number, fields: Partial<ProcessFacts> | null = {}): Owner {
  return { ...blank('process', pid), process: fields === null ? null : processFacts(pid, fields) };
}

export function containerFacts(fields: Partial<ContainerFacts> = {}): ContainerFacts {
  return {
    id: '92fcd1a9e13baa544d64a56b40b28c5a0ae414596d09dd3ff08c36f3a983bf25',
    name: 'web7777',
    image: 'busybox',
    state: 'running',
    composeProject: null,
    composeService: null,
    publishedPorts: [{ hostIp: '0.0.0.0', hostPort: 7777, containerPort: 80, protocol: 'tcp' }],
    restartPolicy: 'no',
    networkMode: 'default',
    ...fields,
  };
}

export function containerOwner(fields: Partial<ContainerFacts> = {}, forwarderPid = 3210): Owner {
  return {
    ...blank('container', null),
    container: containerFacts(fields),
    forwarder: {
      product: 'Docker (docker-proxy)',
      name: 'docker-proxy',
      pid: forwarderPid,
      stale: false,
      wslDistribution: null,
    },
  };
}

export function forwarderOwner(pid = 3210): Owner {
  return {
    ...blank('forwarder', null),
    process: processFacts(pid, { name: 'docker-proxy', uid: 0 }),
    forwarder: {
      product: 'Docker (docker-proxy)',
      name: 'docker-proxy',
      pid,
      stale: true,
      wslDistribution: null,
    },
  };
}

export function wslOwner(pid = 6000): Owner {
  return {
    ...blank('wsl', null),
    process: processFacts(pid, { name: 'wslrelay.exe' }),
    forwarder: { product: 'WSL', name: 'wslrelay.exe', pid, stale: null, wslDistribution: null },
  };
}

export function httpSysOwner(): Owner {
  return {
    ...blank('http.sys', null),
    process: processFacts(4, { name: 'System' }),
    httpSys: { urls: ['http://+:7777/'], processIds: [900] },
    services: ['W3SVC'],
  };
}

export function hiddenOwner(uid = 0): Owner {
  return {
    ...blank('hidden', null),
    hidden: {
      uid,
      reason: 'the socket belongs to user id 0',
      revealCommand: "sudo ss -ltnp 'sport = :7777'",
    },
  };
}

export function serviceOwner(pid: number, services: string[]): Owner {
  return {
    ...blank('service', pid),
    process: processFacts(pid, {
      name: 'svchost.exe',
      uid: null,
      ppid: 700,
      parentChain: [{ pid: 700, name: 'services.exe' }],
    }),
    services,
  };
}
