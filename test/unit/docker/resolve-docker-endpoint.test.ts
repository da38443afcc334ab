import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  resolveDockerEndpoint,
  type DockerEndpointInput,
} from '../../../src/docker/resolve-docker-endpoint.ts';

/** Context metadata lives under the hex SHA-256 of the context name (docker CLI layout). */
function metaDir(configDir: string, name: string): string {
  return `${configDir}/contexts/meta/${createHash('sha256').update(name).digest('hex')}`;
}

function contextMeta(name: string, host: string): string {
  return JSON.stringify({
    Name: name,
    Metadata: {},
    Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
  });
}

/** A fake file system: `files` for readFile, `sockets` (and files) for fileExists. */
function input(options: {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  homeDir?: string;
  files?: Record<string, string>;
  sockets?: string[];
}): DockerEndpointInput & { reads: string[] } {
  const files = options.files ?? {};
  const sockets = new Set(options.sockets ?? []);
  const reads: string[] = [];
  return {
    env: options.env ?? {},
    platform: options.platform ?? 'linux',
    homeDir: options.homeDir ?? '/home/ana',
    readFile: (p) => {
      reads.push(p);
      return files[p] ?? null;
    },
    fileExists: (p) => sockets.has(p) || p in files,
    reads,
  };
}

describe('resolveDockerEndpoint', () => {
  it('prefers DOCKER_HOST over any context and socket', () => {
    const result = resolveDockerEndpoint(
      input({
        env: { DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_CONTEXT: 'colima' },
        files: { '/home/ana/.docker/config.json': '{"currentContext":"desktop-linux"}' },
        sockets: ['/var/run/docker.sock'],
      }),
    );
    assert.deepEqual(result, { endpoint: 'tcp://10.0.0.5:2376', source: 'DOCKER_HOST' });
  });

  it('treats an empty or blank DOCKER_HOST as unset', () => {
    const result = resolveDockerEndpoint(
      input({ env: { DOCKER_HOST: '  ' }, sockets: ['/var/run/docker.sock'] }),
    );
    assert.deepEqual(result, { endpoint: 'unix:///var/run/docker.sock', source: 'default' });
  });

  it("follows config.json's currentContext to its meta.json endpoint", () => {
    const home = '/Users/ana';
    const result = resolveDockerEndpoint(
      input({
        platform: 'darwin',
        homeDir: home,
        files: {
          [`${home}/.docker/config.json`]: '{"auths":{},"currentContext":"orbstack"}',
          [`${metaDir(`${home}/.docker`, 'orbstack')}/meta.json`]: contextMeta(
            'orbstack',
            `unix://${home}/.orbstack/run/docker.sock`,
          ),
        },
        sockets: ['/var/run/docker.sock'],
      }),
    );
    assert.deepEqual(result, {
      endpoint: 'unix:///Users/ana/.orbstack/run/docker.sock',
      source: 'context orbstack',
    });
  });

  it('lets DOCKER_CONTEXT override currentContext', () => {
    const result = resolveDockerEndpoint(
      input({
        env: { DOCKER_CONTEXT: 'remote' },
        files: {
          '/home/ana/.docker/config.json': '{"currentContext":"desktop-linux"}',
          [`${metaDir('/home/ana/.docker', 'remote')}/meta.json`]: contextMeta(
            'remote',
            'tcp://build.example:2376',
          ),
        },
      }),
    );
    assert.deepEqual(result, { endpoint: 'tcp://build.example:2376', source: 'context remote' });
  });

  it('reads config.json and contexts from DOCKER_CONFIG', () => {
    const fake = input({
      env: { DOCKER_CONFIG: '/etc/ana-docker' },
      files: {
        '/etc/ana-docker/config.json': '{"currentContext":"rootless"}',
        [`${metaDir('/etc/ana-docker', 'rootless')}/meta.json`]: contextMeta(
          'rootless',
          'unix:///run/user/1000/docker.sock',
        ),
      },
    });
    assert.deepEqual(resolveDockerEndpoint(fake), {
      endpoint: 'unix:///run/user/1000/docker.sock',
      source: 'context rootless',
    });
    assert.ok(!fake.reads.some((p) => p.startsWith('/home/ana/.docker')), 'must not read ~/.docker');
  });

  it('returns a context endpoint even when its socket is missing, so the answer can say "not running"', () => {
    const result = resolveDockerEndpoint(
      input({
        env: { DOCKER_CONTEXT: 'desktop-linux' },
        files: {
          [`${metaDir('/home/ana/.docker', 'desktop-linux')}/meta.json`]: contextMeta(
            'desktop-linux',
            'unix:///home/ana/.docker/desktop/docker.sock',
          ),
        },
      }),
    );
    assert.deepEqual(result, {
      endpoint: 'unix:///home/ana/.docker/desktop/docker.sock',
      source: 'context desktop-linux',
    });
  });

  it('maps the "default" context to the default socket', () => {
    const result = resolveDockerEndpoint(
      input({
        files: { '/home/ana/.docker/config.json': '{"currentContext":"default"}' },
        sockets: ['/var/run/docker.sock'],
      }),
    );
    assert.deepEqual(result, { endpoint: 'unix:///var/run/docker.sock', source: 'default' });
  });

  it('falls back to the default socket and says so when the named context does not exist', () => {
    const result = resolveDockerEndpoint(
      input({ env: { DOCKER_CONTEXT: 'gone' }, sockets: ['/var/run/docker.sock'] }),
    );
    assert.deepEqual(result, {
      endpoint: 'unix:///var/run/docker.sock',
      source: 'default (context gone not found)',
    });
  });

  it('uses the default socket for a context without a docker endpoint', () => {
    const result = resolveDockerEndpoint(
      input({
        env: { DOCKER_CONTEXT: 'k8s-only' },
        files: {
          [`${metaDir('/home/ana/.docker', 'k8s-only')}/meta.json`]: '{"Name":"k8s-only","Endpoints":{}}',
        },
        sockets: ['/var/run/docker.sock'],
      }),
    );
    assert.deepEqual(result, { endpoint: 'unix:///var/run/docker.sock', source: 'context k8s-only' });
  });

  it('ignores a malformed config.json instead of throwing', () => {
    const result = resolveDockerEndpoint(
      input({
        files: { '/home/ana/.docker/config.json': '{"currentContext": ' },
        sockets: ['/var/run/docker.sock'],
      }),
    );
    assert.deepEqual(result, { endpoint: 'unix:///var/run/docker.sock', source: 'default' });
  });

  const defaults: {
    name: string;
    platform: NodeJS.Platform;
    env?: Record<string, string>;
    sockets: string[];
    expected: string | null;
  }[] = [
    {
      name: 'Linux system socket',
      platform: 'linux',
      sockets: ['/var/run/docker.sock'],
      expected: 'unix:///var/run/docker.sock',
    },
    {
      name: 'Linux rootless socket in XDG_RUNTIME_DIR',
      platform: 'linux',
      env: { XDG_RUNTIME_DIR: '/run/user/1000' },
      sockets: ['/run/user/1000/docker.sock'],
      expected: 'unix:///run/user/1000/docker.sock',
    },
    {
      name: 'Docker Desktop for Linux socket',
      platform: 'linux',
      sockets: ['/home/ana/.docker/desktop/docker.sock'],
      expected: 'unix:///home/ana/.docker/desktop/docker.sock',
    },
    {
      name: 'macOS: /var/run first',
      platform: 'darwin',
      sockets: ['/var/run/docker.sock', '/home/ana/.docker/run/docker.sock'],
      expected: 'unix:///var/run/docker.sock',
    },
    {
      name: 'macOS: Docker Desktop user socket',
      platform: 'darwin',
      sockets: ['/home/ana/.docker/run/docker.sock', '/home/ana/.orbstack/run/docker.sock'],
      expected: 'unix:///home/ana/.docker/run/docker.sock',
    },
    {
      name: 'macOS: OrbStack socket last',
      platform: 'darwin',
      sockets: ['/home/ana/.orbstack/run/docker.sock'],
      expected: 'unix:///home/ana/.orbstack/run/docker.sock',
    },
    {
      name: 'Linux does not look for OrbStack',
      platform: 'linux',
      sockets: ['/home/ana/.orbstack/run/docker.sock'],
      expected: null,
    },
    { name: 'Linux without Docker', platform: 'linux', sockets: [], expected: null },
    { name: 'macOS without Docker', platform: 'darwin', sockets: [], expected: null },
    {
      name: 'FreeBSD uses the Unix default',
      platform: 'freebsd',
      sockets: ['/var/run/docker.sock'],
      expected: 'unix:///var/run/docker.sock',
    },
  ];
  for (const row of defaults) {
    it(`default socket: ${row.name}`, () => {
      const result = resolveDockerEndpoint(
        input({ platform: row.platform, env: row.env ?? {}, sockets: row.sockets }),
      );
      assert.deepEqual(result, row.expected === null ? null : { endpoint: row.expected, source: 'default' });
    });
  }

  it('on Windows returns the docker_engine pipe without probing it', () => {
    const fake = input({ platform: 'win32', homeDir: 'C:\\Users\\ana' });
    const probed: string[] = [];
    const result = resolveDockerEndpoint({ ...fake, fileExists: (p) => (probed.push(p), false) });
    assert.deepEqual(result, { endpoint: 'npipe:////./pipe/docker_engine', source: 'default' });
    assert.deepEqual(probed, []);
    assert.deepEqual(fake.reads, ['C:\\Users\\ana\\.docker\\config.json']);
  });

  it('on Windows follows a context with Windows paths', () => {
    const configDir = 'C:\\Users\\ana\\.docker';
    const hash = createHash('sha256').update('desktop-linux').digest('hex');
    const result = resolveDockerEndpoint(
      input({
        platform: 'win32',
        homeDir: 'C:\\Users\\ana',
        files: {
          [`${configDir}\\config.json`]: '{"currentContext":"desktop-linux"}',
          [`${configDir}\\contexts\\meta\\${hash}\\meta.json`]: contextMeta(
            'desktop-linux',
            'npipe:////./pipe/dockerDesktopLinuxEngine',
          ),
        },
      }),
    );
    assert.deepEqual(result, {
      endpoint: 'npipe:////./pipe/dockerDesktopLinuxEngine',
      source: 'context desktop-linux',
    });
  });
});
