import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { testImage, testLabel } from './docker-available.ts';

export interface ContainerSpec {
  cmd: string[];
  /** `8080/tcp` -> [hostIp, hostPort] */
  publish?: Record<string, [string, number]>;
  networkMode?: string;
  restart?: string;
  labels?: Record<string, string>;
  init?: boolean;
  name?: string;
}

/** Like `docker run -d [--init]` with the test image; every container carries the test label. */
export async function runTestContainer(docker: Docker, spec: ContainerSpec): Promise<Docker.Container> {
  const publish = Object.entries(spec.publish ?? {});
  const container = await docker.createContainer({
    Image: testImage,
    name: spec.name ?? `tapo-test-${process.pid}-${randomBytes(3).toString('hex')}`,
    Cmd: spec.cmd,
    Labels: { [testLabel]: '1', ...spec.labels },
    ExposedPorts: Object.fromEntries(publish.map(([key]) => [key, {}])),
    HostConfig: {
      Init: spec.init ?? true,
      NetworkMode: spec.networkMode ?? 'default',
      RestartPolicy: { Name: spec.restart ?? '' },
      PortBindings: Object.fromEntries(
        publish.map(([key, [hostIp, hostPort]]) => [key, [{ HostIp: hostIp, HostPort: String(hostPort) }]]),
      ),
    },
  });
  await container.start();
  return container;
}

/** Removes every container this test process created (by label), whatever state it is in. */
export async function removeTestContainers(docker: Docker): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: [testLabel] } });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** Polls (bounded) until something accepts TCP connections on host:port. */
export async function waitForListen(host: string, port: number, withinMs = 10_000): Promise<void> {
  const { createConnection } = await import('node:net');
  const until = Date.now() + withinMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port} after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
