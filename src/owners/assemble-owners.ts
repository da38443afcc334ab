import type { ContainerFacts, DockerStatus } from '../docker/container-facts.ts';
import type { BindHost } from '../input/parse-host.ts';
import { familyOf, formatEndpoint } from '../input/address-family.ts';
import { makeListener, type Listener } from '../sockets/listener.ts';
import { relateListener } from '../sockets/relate-listener.ts';
import { forwarderProduct, isHttpSysPid, isWslRelay } from './known-holders.ts';
import { emptyOwner, type DashboardFacts, type ForwarderFacts, type Owner } from './owner.ts';
import type { WslRelayFacts } from './wsl-relay-facts.ts';
import { describeHealth } from '../health/health-meaning.ts';
import { toDisplayName as shown } from '../text/display-safe.ts';
import { emptyProcessFacts, type ProcessFacts } from './process-facts.ts';

/** Everything gathered about the port; assembling owners from it is pure. */
export interface OwnerEvidence {
  platform: NodeJS.Platform;
  host: BindHost;
  port: number;
  /** Listeners on the port that block or shadow the requested address. */
  listeners: Listener[];
  processes: ReadonlyMap<number, ProcessFacts>;
  /** Windows services hosted by a PID (svchost). */
  services: ReadonlyMap<number, string[]>;
  httpSys: { urls: string[]; processIds: number[] } | null;
  /** Containers publishing the port, and containers found through a holder's cgroup. */
  containers: readonly ContainerFacts[];
  /** How the Docker engine answered: only an engine that answered can say no container is behind a forwarder. */
  dockerState: DockerStatus['state'];
  /** What WSL said about the port, when a WSL relay holds it (Windows); null when not asked. */
  wslRelay: WslRelayFacts | null;
  /** Listening PIDs recognised as our dashboard (command line or status record), with their health answer. */
  dashboards: ReadonlyMap<number, DashboardFacts>;
}

export function assembleOwners(evidence: OwnerEvidence): Owner[] {
  const owners: Owner[] = [];
  const forwarders: Owner[] = [];
  const byPid = groupByPid(evidence.listeners);

  for (const [pid, listeners] of byPid.known) {
    const known = evidence.processes.get(pid);
    const facts = known ?? { ...emptyProcessFacts(pid), name: listeners[0]?.processName ?? null };
    const addresses = uniqueAddresses(listeners);
    const owner = classifyProcess(facts, addresses, evidence);
    // Facts that could not be read are not invented: a PID without them may be gone (or reused).
    if (!known && owner.process) owner.process = null;
    if (owner.kind === 'forwarder') forwarders.push(owner);
    else owners.push(owner);
  }

  const publishing = evidence.containers.filter((container) => publishesOverlapping(container, evidence));
  const containerIdsSeen = new Set(owners.map((owner) => owner.container?.id).filter(Boolean));
  const first = forwarders[0]?.forwarder;
  const forwarder = first ? { ...first, stale: false } : null;
  for (const container of publishing) {
    if (containerIdsSeen.has(container.id)) continue;
    containerIdsSeen.add(container.id);
    owners.push({
      ...emptyOwner('container', null, { addresses: publishedAddresses(container, evidence.port) }),
      description: describeContainer(container, forwarder),
      container,
      forwarder,
    });
  }
  // A forwarder with no container behind it is a stale forwarder (or Docker did not answer).
  if (publishing.length === 0) owners.push(...forwarders.map((owner) => unbackedForwarder(owner, evidence)));

  for (const [uid, listeners] of byPid.hiddenByUid) {
    // docker-proxy runs as root: a user in the docker group sees its sockets without a PID,
    // but the container that publishes those addresses is already the owner.
    const covered = new Set(publishing.flatMap((container) => publishedAddresses(container, evidence.port)));
    const uncovered = uniqueAddresses(listeners).filter((address) => !covered.has(address));
    if (uncovered.length > 0) owners.push(hiddenOwner(uid, uncovered, evidence));
  }
  return owners;
}

function classifyProcess(facts: ProcessFacts, addresses: string[], evidence: OwnerEvidence): Owner {
  const pid = facts.pid;
  const name = facts.name;
  const where = `listening on ${addresses.map((a) => formatEndpoint(a, evidence.port)).join(', ')}`;
  const label = `${name === null ? 'unknown process' : shown(name)} (PID ${pid})`;

  if (isHttpSysPid(evidence.platform, pid)) {
    const httpSys = evidence.httpSys ?? { urls: [], processIds: [] };
    const registrants = httpSys.processIds.map((id) => {
      const services = evidence.services.get(id) ?? [];
      const image = evidence.processes.get(id)?.name ?? 'unknown process';
      return `${shown(image)} (PID ${id}${services.length > 0 ? `, service ${services.map(shown).join(', ')}` : ''})`;
    });
    const urls = httpSys.urls.length > 0 ? ` ${httpSys.urls.map(shown).join(', ')}` : ' a registered URL';
    const by = registrants.length > 0 ? ` of ${registrants.join(', ')}` : '';
    return {
      ...emptyOwner('http.sys', null, { addresses }),
      description: `the Windows HTTP service (http.sys, PID 4) ${where} for${urls}${by}`,
      process: facts,
      services: [...new Set(httpSys.processIds.flatMap((id) => evidence.services.get(id) ?? []))],
      httpSys,
    };
  }
  const product = forwarderProduct(name);
  if (product) {
    // Described once it is known whether a container is behind it (unbackedForwarder).
    return {
      ...emptyOwner('forwarder', null, { addresses }),
      description: `${product}: ${label} forwards the port for a container`,
      process: facts,
      forwarder: { product, name, pid, stale: null, wslDistribution: null },
    };
  }
  if (isWslRelay(name)) return wslRelayOwner(facts, label, addresses, evidence.wslRelay);
  const hostNetworkContainer = facts.cgroupContainerId
    ? evidence.containers.find((c) => c.id === facts.cgroupContainerId)
    : undefined;
  if (hostNetworkContainer) {
    return {
      ...emptyOwner('container', null, { addresses }),
      description: `container ${shown(hostNetworkContainer.name)} (host network): ${label} ${where}`,
      process: facts,
      container: hostNetworkContainer,
    };
  }
  const dashboard = evidence.dashboards.get(pid);
  if (dashboard) {
    return {
      ...emptyOwner('dashboard', pid, { addresses }),
      description: `an earlier Tapo dashboard, ${label} ${where}; health: ${describeHealth(dashboard.health)}`,
      process: facts,
      dashboard,
    };
  }
  const services = evidence.services.get(pid) ?? [];
  if (services.length > 0) {
    return {
      ...emptyOwner('service', pid, { addresses }),
      description: `Windows service ${services.map(shown).join(', ')} in ${label} ${where}`,
      process: facts,
      services,
    };
  }
  return { ...emptyOwner('process', pid, { addresses }), description: `${label} ${where}`, process: facts };
}

/**
 * A forwarder no publishing container explains. Only the engine that answered can vouch that no
 * container is behind it, and only for Docker's own forwarders (Podman, Lima or OrbStack answer
 * to their own tools).
 */
function unbackedForwarder(owner: Owner, evidence: OwnerEvidence): Owner {
  const forwarder = owner.forwarder as ForwarderFacts;
  const label = `${shown(forwarder.name ?? 'unknown process')} (PID ${forwarder.pid ?? '?'})`;
  const dockers = forwarder.product.startsWith('Docker') && !forwarder.product.includes('rootless');
  if (evidence.dockerState !== 'ok') {
    return {
      ...owner,
      description: `${forwarder.product}: ${label} forwards the port, but the Docker engine did not answer (${evidence.dockerState}), so which container is behind it is unknown`,
    };
  }
  if (!dockers) {
    return {
      ...owner,
      description: `${forwarder.product}: ${label} holds the port; the Docker engine asked has no container publishing it, so it forwards for a container of ${forwarder.product} or is left over`,
    };
  }
  return {
    ...owner,
    description: `${forwarder.product}: ${label} holds the port, but no container publishes it: a stale forwarder Docker left behind`,
    forwarder: { ...forwarder, stale: true },
  };
}

function wslRelayOwner(
  facts: ProcessFacts,
  label: string,
  addresses: string[],
  wsl: WslRelayFacts | null,
): Owner {
  const owner = (description: string, stale: boolean | null, wslDistribution: string | null): Owner => ({
    ...emptyOwner('wsl', null, { addresses }),
    description: `WSL: ${label} ${description}`,
    process: facts,
    forwarder: { product: 'WSL', name: facts.name, pid: facts.pid, stale, wslDistribution },
  });
  switch (wsl?.answer) {
    case 'no-distribution-running':
      return owner('holds the port, but no WSL distribution is running: a stale relay', true, null);
    case 'nothing-listening':
      return owner(
        `holds the port, but nothing inside WSL listens on it (${shown(wsl.distribution)} running): a stale relay`,
        true,
        wsl.distribution,
      );
    case 'listening':
      return owner(
        `relays the port from a program inside WSL listening on ${wsl.addresses.join(', ')} (seen from distribution ${shown(wsl.distribution)})`,
        false,
        wsl.distribution,
      );
    default:
      return owner('relays the port from a program inside a WSL distribution', null, null);
  }
}

function hiddenOwner(uid: number | null, addresses: string[], evidence: OwnerEvidence): Owner {
  const whose = uid === null ? 'another user' : `user id ${uid}`;
  return {
    ...emptyOwner('hidden', null, { addresses }),
    description: `a process of ${whose} that this account is not allowed to see, listening on ${addresses
      .map((a) => formatEndpoint(a, evidence.port))
      .join(', ')}`,
    hidden: {
      uid,
      reason: `the socket belongs to ${whose}; without elevated rights the owning process cannot be read`,
      revealCommand: revealCommand(evidence.platform, evidence.port),
    },
  };
}

function revealCommand(platform: NodeJS.Platform, port: number): string {
  if (platform === 'win32') return `Get-NetTCPConnection -LocalPort ${port} -State Listen`;
  if (platform === 'darwin') return `sudo lsof -nP -iTCP:${port} -sTCP:LISTEN`;
  return `sudo ss -ltnp 'sport = :${port}'`;
}

function describeContainer(container: ContainerFacts, forwarder: Owner['forwarder']): string {
  const compose =
    container.composeProject !== null
      ? `, compose project ${shown(container.composeProject)} service ${shown(container.composeService ?? '?')}`
      : '';
  const via = forwarder
    ? ` through ${forwarder.product} (${shown(forwarder.name ?? '?')}, PID ${forwarder.pid ?? '?'})`
    : '';
  return `Docker container ${shown(container.name)} (image ${shown(container.image)}${compose}) publishes the port${via}`;
}

function publishesOverlapping(container: ContainerFacts, evidence: OwnerEvidence): boolean {
  return container.publishedPorts.some((published) => {
    if (published.hostPort !== evidence.port || published.protocol !== 'tcp') return false;
    const address = published.hostIp === '' ? '0.0.0.0' : published.hostIp;
    const family = familyOf(address);
    if (family === null) return true;
    return relateListener(makeListener({ address, port: evidence.port, family }), evidence.host) !== 'none';
  });
}

function publishedAddresses(container: ContainerFacts, port: number): string[] {
  const addresses = container.publishedPorts
    .filter((p) => p.hostPort === port && p.protocol === 'tcp')
    .map((p) => (p.hostIp === '' ? '0.0.0.0' : p.hostIp));
  return [...new Set(addresses)];
}

function groupByPid(listeners: Listener[]): {
  known: Map<number, Listener[]>;
  hiddenByUid: Map<number | null, Listener[]>;
} {
  const known = new Map<number, Listener[]>();
  const hiddenByUid = new Map<number | null, Listener[]>();
  for (const listener of listeners) {
    if (listener.pid !== null) known.set(listener.pid, [...(known.get(listener.pid) ?? []), listener]);
    else hiddenByUid.set(listener.uid, [...(hiddenByUid.get(listener.uid) ?? []), listener]);
  }
  return { known, hiddenByUid };
}

function uniqueAddresses(listeners: Listener[]): string[] {
  return [...new Set(listeners.map((l) => l.address))];
}
