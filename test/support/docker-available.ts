// Gate for tests that need a real Docker engine: the private one from
// scripts/test-docker-engine.sh, never the developer's own engine by accident.
import Docker from 'dockerode';
import type { TestContext } from 'node:test';
import { parseDockerEndpoint } from '../../src/docker/parse-docker-endpoint.ts';

/** Where scripts/test-docker-engine.sh puts its engine. */
export const privateTestDockerHost = 'unix:///run/tapo-test-docker/docker.sock';
/** The image scripts/test-docker-engine.sh imports (busybox-static; no registry needed). */
export const testImage = 'tapo-busybox:latest';
/** Every container a test creates carries this label, so cleanup never touches anything else. */
export const testLabel = 'tapo-port-test';

export function testDockerHost(): string {
  return process.env.TAPO_TEST_DOCKER_HOST?.trim() || privateTestDockerHost;
}

const howToStart =
  'start it with `sudo scripts/test-docker-engine.sh start` and ' +
  `export TAPO_TEST_DOCKER_HOST=${privateTestDockerHost}`;

let availability: Promise<{ docker: Docker } | { reason: string }> | undefined;

/**
 * A dockerode client for the test engine, or null after skipping the test. With
 * TAPO_REQUIRE_DOCKER=1 (CI jobs that start the engine) a missing engine fails instead, so
 * a broken engine set-up cannot turn the Docker tests into silent skips.
 */
export async function requireDockerOrSkip(t: TestContext): Promise<Docker | null> {
  // One probe per test process: every Docker test would otherwise pay for the same ping.
  availability ??= probe(testDockerHost());
  const result = await availability;
  if ('docker' in result) return result.docker;

  const message = `Docker engine not reachable at ${testDockerHost()}: ${result.reason}; ${howToStart}`;
  if (process.env.TAPO_REQUIRE_DOCKER === '1') {
    throw new Error(`TAPO_REQUIRE_DOCKER=1: ${message}`);
  }
  process.stderr.write(`\nSKIPPED: ${message}\n\n`);
  t.skip(message);
  return null;
}

async function probe(endpoint: string): Promise<{ docker: Docker } | { reason: string }> {
  const connection = parseDockerEndpoint({
    endpoint,
    env: {},
    configDir: '',
    joinPath: (...parts) => parts.join('/'),
  });
  if (connection.kind === 'unsupported') return { reason: connection.reason };
  if (connection.kind === 'tcp' && connection.tls !== null)
    return { reason: 'TLS test engines are not supported' };

  const client = (timeout: number): Docker => {
    const common = {
      timeout,
      host: undefined,
      port: undefined,
      ca: undefined,
      cert: undefined,
      key: undefined,
    };
    return connection.kind === 'socket'
      ? new Docker({ ...common, socketPath: connection.socketPath })
      : new Docker({ ...common, host: connection.host, port: connection.port, protocol: 'http' });
  };
  // A short timeout for the probe, so a hung engine skips quickly...
  const prober = client(3000);
  try {
    await prober.ping();
  } catch (error) {
    return { reason: (error as { code?: string }).code ?? String(error) };
  }
  try {
    await prober.getImage(testImage).inspect();
  } catch {
    return { reason: `the engine answers but has no image ${testImage}` };
  }
  // ...and a generous one for the tests: creating a container on vfs copies the image.
  const docker = client(30_000);
  return { docker };
}
