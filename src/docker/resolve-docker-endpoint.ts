import { createHash } from 'node:crypto';
import path from 'node:path';

export interface DockerEndpointInput {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homeDir: string;
  /** File contents, or null when the file is missing or unreadable. */
  readFile: (p: string) => string | null;
  fileExists: (p: string) => boolean;
}

export interface DockerEndpoint {
  /** `unix:///var/run/docker.sock`, `npipe:////./pipe/docker_engine`, `tcp://host:2376`, ... */
  endpoint: string;
  /** `DOCKER_HOST`, `context <name>`, `default`, or `default (context <name> not found)`. */
  source: string;
}

/**
 * Finds the engine the `docker` CLI would talk to, because dockerode ignores Docker contexts:
 * Docker Desktop, OrbStack, colima and rootless set a context instead of DOCKER_HOST, and asking
 * /var/run/docker.sock there answers "not running" while `docker ps` works.
 *
 * Order as in the docker CLI: DOCKER_HOST, then DOCKER_CONTEXT, then config.json's
 * currentContext, then the platform's default socket. Returns null when there is no DOCKER_HOST,
 * no context and no default socket file, so a machine without Docker never loads dockerode.
 */
export function resolveDockerEndpoint(input: DockerEndpointInput): DockerEndpoint | null {
  const dockerHost = nonEmpty(input.env.DOCKER_HOST);
  if (dockerHost !== null) return { endpoint: dockerHost, source: 'DOCKER_HOST' };

  const paths = input.platform === 'win32' ? path.win32 : path.posix;
  const configDir = nonEmpty(input.env.DOCKER_CONFIG) ?? paths.join(input.homeDir, '.docker');
  const contextName =
    nonEmpty(input.env.DOCKER_CONTEXT) ?? currentContextOf(input.readFile, paths, configDir);

  if (contextName === null || contextName === 'default') return defaultEndpoint(input, 'default');

  const metaFile = paths.join(configDir, 'contexts', 'meta', sha256Hex(contextName), 'meta.json');
  const meta = parseJson(input.readFile(metaFile));
  if (meta === undefined) {
    // The docker CLI refuses to run with a missing context; the default socket is still the
    // best guess for who holds the port, and the source says why it was used.
    return defaultEndpoint(input, `default (context ${contextName} not found)`);
  }
  const host = nonEmpty(stringAt(meta, ['Endpoints', 'docker', 'Host']));
  // A context without a docker host (e.g. a Kubernetes-only one) means the default socket.
  if (host === null) return defaultEndpoint(input, `context ${contextName}`);
  return { endpoint: host, source: `context ${contextName}` };
}

type PathApi = typeof path.posix;

/** Candidate sockets in the order the docker CLI and the desktop products create them. */
const defaultSockets: Partial<
  Record<NodeJS.Platform, (home: string, env: DockerEndpointInput['env']) => string[]>
> = {
  linux: (home, env) => {
    const runtimeDir = nonEmpty(env.XDG_RUNTIME_DIR);
    return [
      '/var/run/docker.sock',
      // Rootless dockerd listens here; its setup tool suggests a context, but not everyone uses it.
      ...(runtimeDir !== null ? [path.posix.join(runtimeDir, 'docker.sock')] : []),
      // Docker Desktop for Linux, when its desktop-linux context is not selected.
      path.posix.join(home, '.docker', 'desktop', 'docker.sock'),
    ];
  },
  darwin: (home) => [
    '/var/run/docker.sock',
    // Docker Desktop 4.13+ without the privileged helper: no /var/run/docker.sock symlink.
    path.posix.join(home, '.docker', 'run', 'docker.sock'),
    path.posix.join(home, '.orbstack', 'run', 'docker.sock'),
  ],
};

function defaultEndpoint(input: DockerEndpointInput, source: string): DockerEndpoint | null {
  if (input.platform === 'win32') {
    // A named pipe cannot be checked like a file: stat-ing \\.\pipe\x opens it (taking one of
    // the server's pipe instances) and is reported unreliably. Connecting to a missing pipe fails
    // with ENOENT in milliseconds, so the pipe is always a candidate on Windows.
    return { endpoint: 'npipe:////./pipe/docker_engine', source };
  }
  const candidates = (defaultSockets[input.platform] ?? (() => ['/var/run/docker.sock']))(
    input.homeDir,
    input.env,
  );
  for (const candidate of candidates) {
    if (input.fileExists(candidate)) return { endpoint: `unix://${candidate}`, source };
  }
  return null;
}

function currentContextOf(
  readFile: DockerEndpointInput['readFile'],
  paths: PathApi,
  configDir: string,
): string | null {
  const config = parseJson(readFile(paths.join(configDir, 'config.json')));
  return nonEmpty(stringAt(config, ['currentContext']));
}

/** The docker CLI stores a context's metadata under the hex SHA-256 of its name. */
function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Parsed JSON, or undefined for a missing or malformed file (a broken config must not crash). */
function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function stringAt(value: unknown, keys: string[]): string | undefined {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}
