import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { ContainerFacts, DockerStatus } from './container-facts.ts';
import { isLocalDockerEndpoint } from './is-local-docker-endpoint.ts';
import { resolveDockerEndpoint, type DockerEndpoint } from './resolve-docker-endpoint.ts';

/** About 2 s in all: a daemon that accepts and never answers must not hang the check. */
export const DOCKER_BUDGET_MS = 2000;

/**
 * Asks the Docker engine the docker CLI would use which containers publish the port (and
 * inspects containers found through a holder's cgroup). dockerode is loaded only here.
 */
export async function queryDockerForPort(
  port: number,
  containerIds: string[],
): Promise<{ status: DockerStatus; containers: ContainerFacts[] }> {
  const resolved = resolveDockerEndpointOfThisMachine();
  if (resolved === null) {
    return {
      status: {
        state: 'not-installed',
        endpoint: null,
        endpointSource: null,
        message: 'no Docker engine found (DOCKER_HOST unset, no Docker context, no default socket)',
      },
      containers: [],
    };
  }
  if (!isLocalDockerEndpoint(resolved.endpoint)) {
    return {
      status: {
        state: 'not-checked',
        endpoint: resolved.endpoint,
        endpointSource: resolved.source,
        message: `the Docker endpoint ${resolved.endpoint} is another machine; its containers cannot hold a port here`,
      },
      containers: [],
    };
  }
  const { loadDockerEngine } = await import('./load-docker-engine.ts');
  const engine = await loadDockerEngine();
  const answer = await engine.queryDocker({
    endpoint: resolved.endpoint,
    port,
    containerIds,
    timeoutMs: DOCKER_BUDGET_MS,
  });
  return {
    status: { ...answer.status, endpoint: resolved.endpoint, endpointSource: resolved.source },
    containers: answer.containers,
  };
}

/** The endpoint the docker CLI would use here: DOCKER_HOST, the current context, the default. */
export function resolveDockerEndpointOfThisMachine(): DockerEndpoint | null {
  return resolveDockerEndpoint({
    env: process.env,
    platform: process.platform,
    homeDir: homedir(),
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return null;
      }
    },
    fileExists: (p) => existsSync(p),
  });
}
