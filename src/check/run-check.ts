import type { ContainerFacts, DockerStatus } from '../docker/container-facts.ts';
import type { BindHost } from '../input/parse-host.ts';
import { assembleOwners } from '../owners/assemble-owners.ts';
import { isDashboardCommandLine, isHttpSysPid, isWslRelay } from '../owners/known-holders.ts';
import type { DashboardFacts, Owner } from '../owners/owner.ts';
import { findRecordedDashboard, type RecordedDashboard } from '../owners/recorded-dashboard.ts';
import { statusWordOf, type HealthReport } from '../health/health-report.ts';
import type { ProcessFacts } from '../owners/process-facts.ts';
import type { WslRelayFacts } from '../owners/wsl-relay-facts.ts';
import type { BindProbeResult } from '../system/bind-probe.ts';
import { excludePortCommands, planFixes, type Fix } from './plan-fixes.ts';
import { summarizeCheck } from './summarize-check.ts';
import { connectAddressOf, familyOf, formatEndpoint } from '../input/address-family.ts';
import { makeListener, type Listener, type ListenerTable } from '../sockets/listener.ts';
import { relateListener, type ListenerRelation } from '../sockets/relate-listener.ts';
import {
  findDynamicPortRange,
  findReservedRange,
  type DynamicPortRange,
  type ReservedRange,
} from '../sockets/reserved-range.ts';
import { decidePortStatus, type PortStatus } from './port-status.ts';
import type { Warning } from '../contract/envelope.ts';
import { TapoError } from '../contract/error-catalogue.ts';

/** Everything `check` needs from the outside world; tests pass their own. */
export interface CheckDeps {
  platform: NodeJS.Platform;
  /** POSIX uid of this process; null on Windows. */
  currentUid: number | null;
  probeBind(host: BindHost, port: number): Promise<BindProbeResult>;
  readListeners(port: number): Promise<ListenerTable>;
  /** Windows excluded port ranges (IPv4 and IPv6); empty elsewhere. */
  readReservedRanges(): Promise<{ ranges: ReservedRange[]; warnings: string[] }>;
  /** Windows' dynamic port ranges (IPv4 and IPv6), which Hyper-V/WinNAT reserve from; absent elsewhere. */
  readDynamicPortRanges?(): Promise<DynamicPortRange[]>;
  readOwnerFacts(
    pids: number[],
  ): Promise<{ processes: Map<number, ProcessFacts>; services: Map<number, string[]>; warnings?: string[] }>;
  readHttpSys(port: number): Promise<{ urls: string[]; processIds: number[]; warnings?: string[] } | null>;
  /** What WSL says about the port a WSL relay holds (Windows); absent elsewhere. */
  readWslRelay?(port: number): Promise<WslRelayFacts>;
  queryDocker(
    port: number,
    containerIds: string[],
  ): Promise<{ status: DockerStatus; containers: ContainerFacts[] }>;
  /** GET a dashboard health URL within the check's budget (1 s unless `--health-timeout`). */
  fetchHealth(url: string): Promise<HealthReport>;
  /** Dashboards that `tapo-port start` recorded in the state directory; none when not given. */
  readRecordedDashboards?(): Promise<RecordedDashboard[]>;
  /** How this tool was started (node and the bundle), for "run it again" fixes. */
  selfCommand?: string[];
  /** The next port from `port + 1` up that the dashboard could bind, or null. */
  findNextFreePort(host: BindHost, port: number): Promise<number | null>;
}

export interface CheckData {
  platform: string;
  host: string;
  address: string;
  port: number;
  status: PortStatus;
  summary: string;
  owners: Owner[];
  listeners: (Listener & { relation: ListenerRelation })[];
  reservedRange: ReservedRange | null;
  /** Windows: the dynamic port range of the host's family when the port lies in it, else null. */
  dynamicPortRange: DynamicPortRange | null;
  probe: BindProbeResult;
  docker: DockerStatus;
  nextFreePort: number | null;
  fixes: Fix[];
}

export async function runCheck(
  deps: CheckDeps,
  host: BindHost,
  port: number,
): Promise<{ data: CheckData; warnings: Warning[] }> {
  const warnings: Warning[] = [];
  const partial = (messages: readonly string[] | undefined): void => {
    for (const message of messages ?? []) warnings.push({ code: 'W_PARTIAL', message });
  };
  // The probe comes first (a millisecond): a host that is not ours ends the check before
  // anything slow has started.
  const probe = await deps.probeBind(host, port);
  if (probe.outcome === 'address-not-local') {
    throw new TapoError(
      'E_HOST_NOT_LOCAL',
      `--host ${JSON.stringify(host.requested)} is not an address of this machine (${probe.errno ?? 'EADDRNOTAVAIL'})`,
    );
  }
  // Docker is asked at once, beside the socket table: on Windows and macOS the table comes from
  // a child process, and the engine's answer costs nothing extra while it runs.
  const publishing = askDocker(deps, port, []);
  // The state directory's records are read beside the table: a few small files.
  const recorded = (deps.readRecordedDashboards?.() ?? Promise.resolve([])).catch(() => []);
  const [table, reserved, dynamicRanges] = await Promise.all([
    deps.readListeners(port),
    deps.readReservedRanges(),
    deps.readDynamicPortRanges ? deps.readDynamicPortRanges() : Promise.resolve([]),
  ]);
  if (!table.readable && table.missingTool) {
    throw new TapoError(
      'E_DEPENDENCY_MISSING',
      `cannot read the socket table: ${table.missingTool} is not installed (${table.reason})`,
    );
  }
  partial(table.warnings);
  partial(reserved.warnings);
  if (!table.readable)
    warnings.push({ code: 'W_SOCKET_TABLE', message: `socket table unreadable: ${table.reason}` });

  const related = relateAll(table.readable ? table.listeners : [], host, probe);
  const relevant = related.filter((listener) => listener.relation !== 'none');
  const pids = [...new Set(relevant.map((l) => l.pid).filter((pid): pid is number => pid !== null))];

  // PID 4 (http.sys) holds ports for URLs other processes registered: find those first, so one
  // process query (one PowerShell start on Windows) covers them too.
  const holdsPid4 = pids.some((pid) => isHttpSysPid(deps.platform, pid));
  const httpSys = holdsPid4 ? await deps.readHttpSys(port) : null;
  const facts = await deps.readOwnerFacts([...new Set([...pids, ...(httpSys?.processIds ?? [])])]);
  partial(httpSys?.warnings);
  partial(facts.warnings);
  const containerIds = [...facts.processes.values()]
    .map((p) => p.cgroupContainerId)
    .filter((id): id is string => id !== null);
  const dashboards = recognizeDashboards(facts.processes, await recorded, (pid) => {
    const address = relevant.find((l) => l.pid === pid)?.address ?? '127.0.0.1';
    return `http://${formatEndpoint(connectAddressOf(address), port)}/api/health`;
  });

  // A WSL relay is asked about only when one holds the port: wsl.exe is slow to answer.
  const relayed = [...facts.processes.values()].some((p) => isWslRelay(p.name));
  // Health time is spent only on the dashboards, beside Docker's and WSL's answers.
  const [docker, dashboardEntries, wslRelay] = await Promise.all([
    containerIds.length === 0
      ? publishing
      : publishing.then((first) => withHostNetworkContainers(deps, port, containerIds, first)),
    Promise.all(
      dashboards.map(async (found) => {
        const health = await deps.fetchHealth(found.healthUrl);
        const dashboard: DashboardFacts = {
          healthUrl: found.healthUrl,
          healthStatus: statusWordOf(health),
          health,
          recognizedBy: found.recognizedBy,
        };
        return [found.pid, dashboard] as const;
      }),
    ),
    relayed && deps.readWslRelay ? deps.readWslRelay(port) : Promise.resolve(null),
  ]);
  if (wslRelay?.answer === 'unknown')
    warnings.push({ code: 'W_WSL', message: `WSL did not answer: ${wslRelay.reason}` });
  if (docker.status.state === 'unresponsive' || docker.status.state === 'error') {
    warnings.push({
      code: 'W_DOCKER',
      message: docker.status.message ?? `Docker engine ${docker.status.state}`,
    });
  }

  const owners = assembleOwners({
    platform: deps.platform,
    host,
    port,
    listeners: relevant,
    processes: facts.processes,
    services: facts.services,
    httpSys: httpSys ? { urls: httpSys.urls, processIds: httpSys.processIds } : null,
    containers: docker.containers,
    dockerState: docker.status.state,
    wslRelay,
    dashboards: new Map(dashboardEntries),
  });
  // Windows keeps separate excluded ranges per family; only the host's family stops its bind.
  const reservedRange = findReservedRange(
    reserved.ranges.filter((range) => range.family === host.family),
    port,
  );
  const containerRelations = owners
    .filter((o) => o.kind === 'container')
    .map((o) => strongestRelation(o.addresses, port, host));
  const status = decidePortStatus({
    probe,
    tableReadable: table.readable,
    blockingCount: relevant.filter((l) => l.relation === 'blocks').length,
    shadowingCount:
      relevant.filter((l) => l.relation === 'shadows').length +
      containerRelations.filter((r) => r === 'shadows').length,
    publishingContainerCount: containerRelations.filter((r) => r === 'blocks').length,
    reservedRange,
  });
  const dynamicPortRange = findDynamicPortRange(dynamicRanges, host.family, port);
  if (dynamicPortRange !== null && status !== 'reserved') {
    // Free today, but Hyper-V/WinNAT may take it with a range at the next boot.
    warnings.push({
      code: 'W_DYNAMIC_PORT_RANGE',
      message: `port ${port} lies in Windows' dynamic port range ${dynamicPortRange.start}-${dynamicPortRange.end}, from which Hyper-V and WinNAT reserve ranges at boot; to keep it, as administrator: ${excludePortCommands(port, host.family, false).powershell ?? ''}`,
    });
  }
  const nextFreePort = status === 'free' ? null : await deps.findNextFreePort(host, port);
  const fixes = planFixes({
    platform: deps.platform,
    status,
    host,
    port,
    owners,
    reservedRange,
    nextFreePort,
    docker: docker.status,
    currentUid: deps.currentUid,
    ...(deps.selfCommand ? { selfCommand: deps.selfCommand } : {}),
  });
  const data: CheckData = {
    platform: deps.platform,
    host: host.requested,
    address: host.address,
    port,
    status,
    summary: summarizeCheck({
      status,
      host,
      port,
      owners,
      reservedRange,
      probe,
      platform: deps.platform,
      tableReadable: table.readable,
    }),
    owners,
    listeners: related,
    reservedRange,
    dynamicPortRange,
    probe,
    docker: docker.status,
    nextFreePort,
    fixes,
  };
  return { data, warnings };
}

/**
 * Linux's /proc/net/tcp6 does not say whether a `::` socket also takes IPv4 (Node's and Java's
 * default do). When the IPv4 bind failed and no IPv4 listener explains it, such a socket is
 * what refused it.
 */
function relateAll(
  listeners: readonly Listener[],
  host: BindHost,
  probe: BindProbeResult,
): (Listener & { relation: ListenerRelation })[] {
  const related = listeners.map((listener) => ({ ...listener, relation: relateListener(listener, host) }));
  if (probe.outcome !== 'in-use' || host.family !== 4 || related.some((l) => l.relation === 'blocks')) {
    return related;
  }
  return related.map((l) =>
    l.relation === 'shadows' && l.family === 6 && l.address === '::' && l.dualStack === null
      ? { ...l, relation: 'blocks' as const }
      : l,
  );
}

/** How a container's published addresses relate to the host: the strongest of them. */
function strongestRelation(addresses: readonly string[], port: number, host: BindHost): ListenerRelation {
  const relations = addresses.map((address) =>
    relateListener(makeListener({ address, port, family: familyOf(address) ?? 4 }), host),
  );
  if (relations.includes('blocks')) return 'blocks';
  return relations.includes('shadows') ? 'shadows' : 'none';
}

/**
 * Docker trouble of any kind (even a bundle file that fails to load) becomes a warning: the
 * socket table still answers the question.
 */
function askDocker(
  deps: CheckDeps,
  port: number,
  containerIds: string[],
): Promise<{ status: DockerStatus; containers: ContainerFacts[] }> {
  return deps.queryDocker(port, containerIds).catch((error: unknown) => ({
    status: {
      state: 'error' as const,
      endpoint: null,
      endpointSource: null,
      message: `Docker could not be asked: ${error instanceof Error ? error.message : String(error)}`,
    },
    containers: [],
  }));
}

/** Adds containers found through a holder's cgroup (`--network host`), asked by id. */
async function withHostNetworkContainers(
  deps: CheckDeps,
  port: number,
  containerIds: string[],
  first: { status: DockerStatus; containers: ContainerFacts[] },
): Promise<{ status: DockerStatus; containers: ContainerFacts[] }> {
  if (first.status.state !== 'ok') return first;
  const second = await askDocker(deps, port, containerIds);
  const known = new Set(first.containers.map((c) => c.id));
  return {
    status: second.status,
    containers: [...first.containers, ...second.containers.filter((c) => !known.has(c.id))],
  };
}

/** A wildcard listener is reached through loopback of its family. */

/**
 * Our dashboards among the holders: a process a start recorded (same PID and start time; its
 * recorded health URL is asked), else a process whose command line runs the dashboard module.
 */
function recognizeDashboards(
  processes: ReadonlyMap<number, ProcessFacts>,
  recorded: readonly RecordedDashboard[],
  defaultHealthUrl: (pid: number) => string,
): { pid: number; healthUrl: string; recognizedBy: DashboardFacts['recognizedBy'] }[] {
  const found = [];
  for (const facts of processes.values()) {
    const record = findRecordedDashboard(facts, recorded);
    if (record !== null) {
      found.push({ pid: facts.pid, healthUrl: record.healthUrl, recognizedBy: 'status-record' as const });
    } else if (isDashboardCommandLine(facts.commandLine)) {
      found.push({
        pid: facts.pid,
        healthUrl: defaultHealthUrl(facts.pid),
        recognizedBy: 'command-line' as const,
      });
    }
  }
  return found;
}
