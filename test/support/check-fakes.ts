// Builders shared by the core unit tests: hosts, listeners, process facts, containers, owners and a
// fully fake CheckDeps whose every answer is fixed, so runCheck is deterministic.
import { statusWordOf, type HealthReport } from '../../src/health/health-report.ts';
import type { DashboardFacts } from '../../src/owners/owner.ts';
import type { RecordedDashboard } from '../../src/owners/recorded-dashboard.ts';
import { healthOf } from './health.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckDeps } from '../../src/check/run-check.ts';
import type { ContainerFacts, DockerStatus } from '../../src/docker/container-facts.ts';
import { parseHost, type BindHost } from '../../src/input/parse-host.ts';
import { assembleOwners, type OwnerEvidence } from '../../src/owners/assemble-owners.ts';
import { formatEndpoint } from '../../src/input/address-family.ts';
import type { Owner } from '../../src/owners/owner.ts';
import { emptyProcessFacts, type ProcessFacts } from '../../src/owners/process-facts.ts';
import type { BindProbeResult } from '../../src/system/bind-probe.ts';
import { makeListener, type Listener, type ListenerTable } from '../../src/sockets/listener.ts';
import type { DynamicPortRange, ReservedRange } from '../../src/sockets/reserved-range.ts';
import type { WslRelayFacts } from '../../src/owners/wsl-relay-facts.ts';

export const fixturesDir = path.join(import.meta.dirname, '..', 'fixtures');

/** A recorded fixture as text. Windows console output is read as latin1, as the reader decodes it. */
export function fixture(relative: string, encoding: BufferEncoding = 'utf8'): string {
  return readFileSync(path.join(fixturesDir, relative), encoding);
}

export function fixtureJson(relative: string): unknown {
  return JSON.parse(fixture(relative)) as unknown;
}

export const host = (raw: string): BindHost => parseHost(raw);

export const listener = (
  fields: Partial<Listener> & Pick<Listener, 'address' | 'family'> & { port?: number },
): Listener => makeListener({ port: 7777, ...fields });

export const facts = (pid: number, fields: Partial<ProcessFacts> = {}): ProcessFacts => ({
  ...emptyProcessFacts(pid),
  ...fields,
  pid,
});

export const container = (fields: Partial<ContainerFacts> = {}): ContainerFacts => ({
  id: '92fcd1a9e13baa544d64a56b40b28c5a0ae414596d09dd3ff08c36f3a983bf25',
  name: 'web7777',
  image: 'hostbin:latest',
  state: 'running',
  composeProject: null,
  composeService: null,
  publishedPorts: [
    { hostIp: '0.0.0.0', hostPort: 7777, containerPort: 80, protocol: 'tcp' },
    { hostIp: '::', hostPort: 7777, containerPort: 80, protocol: 'tcp' },
  ],
  restartPolicy: null,
  networkMode: 'default',
  ...fields,
});

export const dockerOk: DockerStatus = {
  state: 'ok',
  endpoint: 'unix:///var/run/docker.sock',
  endpointSource: 'default',
  message: null,
};

export const dockerNotInstalled: DockerStatus = {
  state: 'not-installed',
  endpoint: null,
  endpointSource: null,
  message: 'no Docker engine found (DOCKER_HOST unset, no Docker context, no default socket)',
};

export const probe = (outcome: BindProbeResult['outcome'], errno: string | null = null): BindProbeResult => ({
  outcome,
  errno,
});

/** Owners as runCheck would assemble them, from listeners that relate to the host. */
export function owners(
  evidence: Partial<OwnerEvidence> & {
    listeners: Listener[];
    host?: BindHost;
    port?: number;
    /** PIDs recognised as our dashboard (by command line), with what their health URL answered. */
    dashboardHealth?: ReadonlyMap<number, string | null | HealthReport>;
  },
): Owner[] {
  const port = evidence.port ?? 7777;
  const { dashboardHealth, ...rest } = evidence;
  // As runCheck builds it: a wildcard is asked through the loopback of its family.
  const healthUrl = (address: string): string =>
    `http://${formatEndpoint(address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address, port)}/api/health`;
  const dashboards = new Map<number, DashboardFacts>();
  for (const [pid, answer] of dashboardHealth ?? []) {
    const health = healthOf(answer);
    const address = evidence.listeners.find((l) => l.pid === pid)?.address ?? '127.0.0.1';
    dashboards.set(pid, {
      healthUrl: healthUrl(address),
      healthStatus: statusWordOf(health),
      health,
      recognizedBy: 'command-line',
    });
  }
  return assembleOwners({
    platform: 'linux',
    host: host('0.0.0.0'),
    processes: new Map(),
    services: new Map(),
    httpSys: null,
    containers: [],
    dashboards,
    dockerState: 'ok',
    wslRelay: null,
    ...rest,
    port,
  });
}

export interface FakeWorld {
  platform: NodeJS.Platform;
  currentUid?: number | null;
  probe: BindProbeResult;
  table: ListenerTable;
  reserved?: { ranges: ReservedRange[]; warnings: string[] };
  /** Windows' dynamic port ranges; not set: none read. */
  dynamicRanges?: DynamicPortRange[];
  processes?: ProcessFacts[];
  services?: Record<number, string[]>;
  httpSys?: { urls: string[]; processIds: number[] } | null;
  /** Replaces `httpSys`: a real reader (the Windows adapter on recorded netsh output). */
  readHttpSys?: CheckDeps['readHttpSys'];
  docker?: { status: DockerStatus; containers: ContainerFacts[] };
  /** What each health URL answers (a status word, null: no answer, or a whole report); not listed: no answer. */
  health?: Record<string, string | null | HealthReport>;
  /** What the state directory's records say (readRecordedDashboards); undefined: not wired. */
  recorded?: RecordedDashboard[];
  nextFreePort?: number | null;
  /** What WSL answers about a relayed port; not set: wsl.exe could not be asked. */
  wslRelay?: WslRelayFacts;
}

export interface FakeCalls {
  ownerPids: number[][];
  httpSysPorts: number[];
  docker: { port: number; containerIds: string[] }[];
  healthUrls: string[];
  nextFreePort: { host: string; port: number }[];
  wslRelayPorts: number[];
}

/**
 * CheckDeps that answer from fixed data and record what they were asked. readOwnerFacts answers
 * only for the PIDs asked, as the real readers do; findNextFreePort answers `port + 1` (skipping
 * 7778, the project's camera server) unless the world fixes it.
 */
export function fakeDeps(world: FakeWorld): { deps: CheckDeps; calls: FakeCalls } {
  const calls: FakeCalls = {
    ownerPids: [],
    httpSysPorts: [],
    docker: [],
    healthUrls: [],
    nextFreePort: [],
    wslRelayPorts: [],
  };
  const byPid = new Map((world.processes ?? []).map((p) => [p.pid, p]));
  const deps: CheckDeps = {
    platform: world.platform,
    currentUid: world.currentUid ?? (world.platform === 'win32' ? null : 1000),
    probeBind: async () => world.probe,
    readListeners: async () => world.table,
    readReservedRanges: async () => world.reserved ?? { ranges: [], warnings: [] },
    readDynamicPortRanges: async () => world.dynamicRanges ?? [],
    readOwnerFacts: async (pids) => {
      calls.ownerPids.push([...pids]);
      const processes = new Map<number, ProcessFacts>();
      const services = new Map<number, string[]>();
      for (const pid of pids) {
        const known = byPid.get(pid);
        if (known) processes.set(pid, known);
        const hosted = world.services?.[pid];
        if (hosted) services.set(pid, hosted);
      }
      return { processes, services };
    },
    readHttpSys: async (port) => {
      calls.httpSysPorts.push(port);
      return world.readHttpSys ? world.readHttpSys(port) : (world.httpSys ?? null);
    },
    readWslRelay: async (port) => {
      calls.wslRelayPorts.push(port);
      return world.wslRelay ?? { answer: 'unknown', reason: 'not set by the test' };
    },
    queryDocker: async (port, containerIds) => {
      calls.docker.push({ port, containerIds });
      return world.docker ?? { status: dockerNotInstalled, containers: [] };
    },
    fetchHealth: async (url) => {
      calls.healthUrls.push(url);
      return healthOf(world.health?.[url] ?? null);
    },
    ...(world.recorded !== undefined ? { readRecordedDashboards: async () => world.recorded ?? [] } : {}),
    findNextFreePort: async (bindHost, port) => {
      calls.nextFreePort.push({ host: bindHost.requested, port });
      if (world.nextFreePort !== undefined) return world.nextFreePort;
      return port + 1 === 7778 ? 7779 : port + 1;
    },
  };
  return { deps, calls };
}

export const readableTable = (
  listeners: Listener[],
  source = 'test',
  warnings: string[] = [],
): ListenerTable => ({
  readable: true,
  source,
  listeners,
  warnings,
});

/** Everything in `text` that a terminal could act on, or that is not printable ASCII (newline aside). */
export const UNSAFE_FOR_TERMINAL = /[^\x20-\x7e\n]/;
