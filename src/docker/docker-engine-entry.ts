// Entry of dist/docker-engine.cjs: the only module that loads dockerode. It is bundled apart
// from the CLI and loaded through load-docker-engine.ts, so `check` on a machine without Docker
// never pays for parsing dockerode, ssh2 and grpc.
import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classifyDockerFailure, type DockerQueryStatus } from './classify-docker-failure.ts';
import type { ContainerFacts } from './container-facts.ts';
import { applyInspect, containerFromInspect, containersPublishingPort } from './match-containers.ts';
import { parseDockerEndpoint, type DockerConnection } from './parse-docker-endpoint.ts';

export type { DockerQueryStatus } from './classify-docker-failure.ts';

export interface DockerQueryRequest {
  /** From resolveDockerEndpoint: `unix://...`, `npipe://...`, `tcp://...`. */
  endpoint: string;
  port: number;
  /** Containers found through a listener's cgroup (e.g. `--network host`): inspected directly. */
  containerIds: string[];
  /** Budget for the whole query (list + every inspect), not per request. */
  timeoutMs: number;
}

export interface DockerQueryResult {
  status: DockerQueryStatus;
  /** Containers found before the engine failed or ran out of time are kept, not discarded. */
  containers: ContainerFacts[];
}

/**
 * Which running containers publish `port` over TCP, plus the given containers, with restart
 * policy and network mode. Never throws and never outlives `timeoutMs` by more than a tick:
 * an engine that accepts connections and never answers (Docker Desktop while it starts or after
 * sleep) must not hang the CLI, and dockerode has no default timeout.
 */
export async function queryDocker(request: DockerQueryRequest): Promise<DockerQueryResult> {
  // Date, not performance: the global `performance` loads perf_hooks on first use (start-up cost).
  const started = Date.now();
  const found = new Map<string, ContainerFacts>();
  const snapshot = (): ContainerFacts[] => [...found.values()];

  const connection = parseDockerEndpoint({
    endpoint: request.endpoint,
    env: process.env,
    configDir: process.env.DOCKER_CONFIG?.trim() || path.join(os.homedir(), '.docker'),
    joinPath: path.join,
  });
  if (connection.kind === 'unsupported') {
    return { status: { state: 'error', message: connection.reason }, containers: [] };
  }

  let docker: Docker;
  try {
    docker = new Docker(dockerOptions(connection, request.timeoutMs));
  } catch (error) {
    // Reading the TLS files (or docker-modem's own reading of DOCKER_* variables) failed: a setup
    // problem, not an engine that is down, so it must not be reported as not-running.
    const detail = error instanceof Error ? error.message : String(error);
    return {
      status: {
        state: 'error',
        message: `Cannot set up the Docker client for ${request.endpoint}: ${detail}. Check DOCKER_CERT_PATH and DOCKER_TLS_VERIFY.`,
      },
      containers: [],
    };
  }

  const controller = new AbortController();
  let deadlineHit = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      deadlineHit = true;
      // Aborting closes the sockets, so a hung engine does not keep the process alive.
      controller.abort();
      resolve();
    }, request.timeoutMs);
  });

  const work = collectContainers(docker, request, controller.signal, found);
  // The race below may leave `work` to fail later (aborted); that failure is already accounted for.
  work.catch(() => undefined);

  const failed = (error: unknown): DockerQueryResult => {
    // Stop the requests still running (other inspects), so none outlives the answer.
    controller.abort();
    const status = classifyDockerFailure({
      error,
      endpoint: request.endpoint,
      deadlineHit,
      elapsedMs: Date.now() - started,
      timeoutMs: request.timeoutMs,
    });
    return { status, containers: snapshot() };
  };
  try {
    await Promise.race([work, deadline]);
  } catch (error) {
    return failed(error);
  } finally {
    clearTimeout(timer);
  }
  if (deadlineHit) return failed(null);
  return { status: { state: 'ok', message: null }, containers: snapshot() };
}

async function collectContainers(
  docker: Docker,
  request: DockerQueryRequest,
  abortSignal: AbortSignal,
  found: Map<string, ContainerFacts>,
): Promise<void> {
  // `publish=P` alone means P/tcp on the engine; spelled out so no engine version guesses.
  const list: unknown = await docker.listContainers({
    filters: { publish: [`${request.port}/tcp`] },
    abortSignal,
  });
  for (const facts of containersPublishingPort(list, request.port)) found.set(facts.id, facts);

  const extraIds = [...new Set(request.containerIds)].filter(
    (id) => ![...found.keys()].some((known) => known.startsWith(id)),
  );
  await Promise.all([
    ...[...found.values()].map(async (facts) => {
      const inspected = await inspectOrNull(docker, facts.id, abortSignal);
      // A container removed between list and inspect keeps what the list said.
      if (inspected !== null) found.set(facts.id, applyInspect(facts, inspected));
    }),
    ...extraIds.map(async (id) => {
      const facts = containerFromInspect(await inspectOrNull(docker, id, abortSignal));
      if (facts !== null) found.set(facts.id, facts);
    }),
  ]);
}

/** Inspect JSON, or null when the container no longer exists (HTTP 404). */
async function inspectOrNull(docker: Docker, id: string, abortSignal: AbortSignal): Promise<unknown> {
  try {
    return (await docker.getContainer(id).inspect({ abortSignal })) as unknown;
  } catch (error) {
    if ((error as { statusCode?: unknown } | null)?.statusCode === 404) return null;
    throw error;
  }
}

/**
 * Every connection key is given explicitly: docker-modem merges its own reading of
 * process.env.DOCKER_HOST underneath, and a leftover `host` from there would override a socket
 * path that came from a Docker context.
 */
function dockerOptions(connection: Exclude<DockerConnection, { kind: 'unsupported' }>, timeoutMs: number) {
  // Per request; the overall budget is enforced by queryDocker's own timer.
  const common = { timeout: timeoutMs, ca: undefined, cert: undefined, key: undefined };
  if (connection.kind === 'socket') {
    return {
      ...common,
      socketPath: connection.socketPath,
      host: undefined,
      port: undefined,
      protocol: undefined,
    };
  }
  const tls = connection.tls;
  return {
    ...common,
    host: connection.host,
    port: connection.port,
    protocol: tls ? ('https' as const) : ('http' as const),
    ...(tls
      ? {
          ca: readFileSync(tls.caFile),
          cert: readFileSync(tls.certFile),
          key: readFileSync(tls.keyFile),
        }
      : {}),
  };
}

export interface DockerSignalRequest {
  endpoint: string;
  id: string;
  mode: 'stop-signal' | 'kill';
}

/** The engine answers a kill at once; this only bounds a hung engine. */
const SIGNAL_BUDGET_MS = 5000;

/**
 * Sends a container its own stop signal (`StopSignal` of its image, SIGTERM by default) or, for
 * --force, SIGKILL. Unlike `docker stop`, the gentle step never turns into SIGKILL by itself: the
 * caller waits for the port and escalates only when asked to. A container that is no longer
 * running (HTTP 409) counts as done.
 */
export async function signalContainer(request: DockerSignalRequest): Promise<void> {
  const connection = parseDockerEndpoint({
    endpoint: request.endpoint,
    env: process.env,
    configDir: process.env.DOCKER_CONFIG?.trim() || path.join(os.homedir(), '.docker'),
    joinPath: path.join,
  });
  if (connection.kind === 'unsupported') throw new Error(connection.reason);
  const docker = new Docker(dockerOptions(connection, SIGNAL_BUDGET_MS));
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`the Docker engine did not answer within ${SIGNAL_BUDGET_MS} ms`));
    }, SIGNAL_BUDGET_MS);
  });
  const container = docker.getContainer(request.id);
  const work = (async () => {
    let signal = 'SIGKILL';
    if (request.mode === 'stop-signal') {
      const inspect = (await container.inspect({ abortSignal: controller.signal })) as {
        Config?: { StopSignal?: string };
      };
      signal = inspect.Config?.StopSignal || 'SIGTERM';
    }
    try {
      await container.kill({ signal, abortSignal: controller.signal });
    } catch (error) {
      if ((error as { statusCode?: unknown } | null)?.statusCode === 409) return;
      throw error;
    }
  })();
  work.catch(() => undefined);
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
