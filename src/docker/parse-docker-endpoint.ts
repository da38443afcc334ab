/** How to reach an engine; TLS file paths are returned, not read, so this stays pure. */
export type DockerConnection =
  | { kind: 'socket'; socketPath: string }
  | {
      kind: 'tcp';
      host: string;
      port: number;
      tls: { caFile: string; certFile: string; keyFile: string } | null;
    }
  | { kind: 'unsupported'; reason: string };

export interface ParseEndpointInput {
  endpoint: string;
  env: Record<string, string | undefined>;
  /** `~/.docker` (or DOCKER_CONFIG): where the docker CLI looks for TLS files by default. */
  configDir: string;
  joinPath: (...parts: string[]) => string;
}

/**
 * Turns a DOCKER_HOST-style endpoint into connection options for dockerode. Done here rather
 * than by docker-modem because docker-modem only reads process.env.DOCKER_HOST and would ignore
 * an endpoint that came from a Docker context.
 */
export function parseDockerEndpoint(input: ParseEndpointInput): DockerConnection {
  const endpoint = input.endpoint.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(endpoint)?.[1]?.toLowerCase() ?? null;

  if (scheme === 'unix' || scheme === 'npipe') {
    // `npipe:////./pipe/docker_engine` keeps `//./pipe/docker_engine`, the form docker-modem
    // itself uses on Windows.
    const socketPath = endpoint.slice(scheme.length + '://'.length);
    if (socketPath === '') return { kind: 'unsupported', reason: `${endpoint} names no socket path` };
    return { kind: 'socket', socketPath };
  }
  // The docker CLI reads `host:port` without a scheme as tcp.
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https' || scheme === null) {
    return parseTcp(endpoint, scheme, input);
  }
  return {
    kind: 'unsupported',
    reason: `${scheme}:// endpoints are not supported; run "docker ps" to list the containers instead`,
  };
}

function parseTcp(endpoint: string, scheme: string | null, input: ParseEndpointInput): DockerConnection {
  let url: URL;
  try {
    url = new URL(scheme === null ? `tcp://${endpoint}` : endpoint);
  } catch {
    return { kind: 'unsupported', reason: `${endpoint} is not a valid Docker endpoint` };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return { kind: 'unsupported', reason: `${endpoint} names no host` };

  // Like the docker CLI: any non-empty DOCKER_TLS_VERIFY turns TLS on (even "0").
  const tls = (input.env.DOCKER_TLS_VERIFY ?? '') !== '' || scheme === 'https';
  const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
  if (!tls) return { kind: 'tcp', host, port, tls: null };

  const certDir = input.env.DOCKER_CERT_PATH?.trim() || input.configDir;
  return {
    kind: 'tcp',
    host,
    port,
    tls: {
      caFile: input.joinPath(certDir, 'ca.pem'),
      certFile: input.joinPath(certDir, 'cert.pem'),
      keyFile: input.joinPath(certDir, 'key.pem'),
    },
  };
}
