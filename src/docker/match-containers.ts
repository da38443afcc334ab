import type { ContainerFacts, PublishedPort } from './container-facts.ts';

// Pure mapping of Docker Engine API JSON to ContainerFacts. Input is `unknown`: engines of
// different versions (and Docker Desktop, Podman, OrbStack) add or drop fields, so every field
// is checked rather than trusted through a type cast.

const composeProjectLabel = 'com.docker.compose.project';
const composeServiceLabel = 'com.docker.compose.service';

/**
 * Containers from `GET /containers/json` that publish `port` over TCP. The engine's `publish`
 * filter already narrows the list, but it is checked again here so that a UDP binding of the same
 * number, another engine's filter semantics or an unfiltered list never produce a false owner.
 * `publishedPorts` keeps all of a container's bindings; readers pick the ones for the port.
 */
export function containersPublishingPort(list: unknown, port: number): ContainerFacts[] {
  if (!Array.isArray(list)) return [];
  const matches: ContainerFacts[] = [];
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry.Id !== 'string') continue;
    const publishedPorts = publishedPortsOfList(entry.Ports);
    if (!publishedPorts.some((p) => p.hostPort === port && p.protocol === 'tcp')) continue;
    const labels = isRecord(entry.Labels) ? entry.Labels : {};
    matches.push({
      id: entry.Id,
      name: primaryName(entry.Names) ?? entry.Id.slice(0, 12),
      image: stringOr(entry.Image, ''),
      state: stringOr(entry.State, ''),
      composeProject: stringOrNull(labels[composeProjectLabel]),
      composeService: stringOrNull(labels[composeServiceLabel]),
      publishedPorts,
      restartPolicy: null,
      networkMode: stringOrNull(isRecord(entry.HostConfig) ? entry.HostConfig.NetworkMode : undefined),
    });
  }
  return matches;
}

/**
 * Adds what only `GET /containers/{id}/json` knows. The restart policy decides whether a stopped
 * container comes back (always, unless-stopped), which the fix text must say.
 */
export function applyInspect(facts: ContainerFacts, inspectJson: unknown): ContainerFacts {
  const hostConfig =
    isRecord(inspectJson) && isRecord(inspectJson.HostConfig) ? inspectJson.HostConfig : null;
  if (hostConfig === null) return facts;
  const policy = isRecord(hostConfig.RestartPolicy) ? hostConfig.RestartPolicy.Name : undefined;
  return {
    ...facts,
    // The API stores "" for a container created without a policy; the CLI stores "no". Same meaning.
    restartPolicy: typeof policy === 'string' ? policy || 'no' : facts.restartPolicy,
    networkMode: stringOrNull(hostConfig.NetworkMode) ?? facts.networkMode,
  };
}

/**
 * Facts for a container known only by id (found through a process's cgroup, e.g. one running
 * with `--network host`, which publishes nothing and so never appears in a publish-filtered list).
 */
export function containerFromInspect(inspectJson: unknown): ContainerFacts | null {
  if (!isRecord(inspectJson) || typeof inspectJson.Id !== 'string') return null;
  const config = isRecord(inspectJson.Config) ? inspectJson.Config : {};
  const labels = isRecord(config.Labels) ? config.Labels : {};
  const state = isRecord(inspectJson.State) ? inspectJson.State : {};
  const networkSettings = isRecord(inspectJson.NetworkSettings) ? inspectJson.NetworkSettings : {};
  const base: ContainerFacts = {
    id: inspectJson.Id,
    name: typeof inspectJson.Name === 'string' ? stripSlash(inspectJson.Name) : inspectJson.Id.slice(0, 12),
    image: stringOr(config.Image, ''),
    state: stringOr(state.Status, ''),
    composeProject: stringOrNull(labels[composeProjectLabel]),
    composeService: stringOrNull(labels[composeServiceLabel]),
    publishedPorts: publishedPortsOfInspect(networkSettings.Ports),
    restartPolicy: null,
    networkMode: null,
  };
  return applyInspect(base, inspectJson);
}

/** List form: `[{IP, PrivatePort, PublicPort, Type}]`; entries without PublicPort are only exposed. */
function publishedPortsOfList(ports: unknown): PublishedPort[] {
  if (!Array.isArray(ports)) return [];
  const published: PublishedPort[] = [];
  for (const p of ports) {
    if (!isRecord(p) || !isPort(p.PublicPort) || !isPort(p.PrivatePort)) continue;
    const protocol = protocolOf(p.Type);
    if (protocol === null) continue;
    published.push({
      hostIp: stringOr(p.IP, ''),
      hostPort: p.PublicPort,
      containerPort: p.PrivatePort,
      protocol,
    });
  }
  return published;
}

/** Inspect form: `{"8080/tcp": [{HostIp, HostPort: "18080"}] | null}`; null means exposed only. */
function publishedPortsOfInspect(ports: unknown): PublishedPort[] {
  if (!isRecord(ports)) return [];
  const published: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const match = /^(\d+)\/([a-z]+)$/.exec(key);
    const containerPort = Number(match?.[1]);
    const protocol = protocolOf(match?.[2]);
    if (!isPort(containerPort) || protocol === null || !Array.isArray(bindings)) continue;
    for (const binding of bindings) {
      if (!isRecord(binding)) continue;
      const hostPort = Number(binding.HostPort);
      if (!isPort(hostPort)) continue;
      published.push({ hostIp: stringOr(binding.HostIp, ''), hostPort, containerPort, protocol });
    }
  }
  return published;
}

/**
 * `Names` also holds legacy link aliases such as `/web/db`; the container's own name is the one
 * with a single leading slash, as `docker ps` shows it.
 */
function primaryName(names: unknown): string | null {
  if (!Array.isArray(names)) return null;
  const strings = names.filter((n): n is string => typeof n === 'string' && n !== '');
  const own = strings.find((n) => !stripSlash(n).includes('/')) ?? strings[0];
  return own === undefined ? null : stripSlash(own);
}

function stripSlash(name: string): string {
  return name.replace(/^\//, '');
}

function protocolOf(value: unknown): PublishedPort['protocol'] | null {
  return value === 'tcp' || value === 'udp' || value === 'sctp' ? value : null;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 65535;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
