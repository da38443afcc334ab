import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseDockerEndpoint, type DockerConnection } from '../../../src/docker/parse-docker-endpoint.ts';

function parse(endpoint: string, env: Record<string, string | undefined> = {}): DockerConnection {
  return parseDockerEndpoint({ endpoint, env, configDir: '/home/ana/.docker', joinPath: path.posix.join });
}

describe('parseDockerEndpoint', () => {
  const rows: { endpoint: string; env?: Record<string, string>; expected: DockerConnection }[] = [
    {
      endpoint: 'unix:///var/run/docker.sock',
      expected: { kind: 'socket', socketPath: '/var/run/docker.sock' },
    },
    {
      endpoint: 'unix:///Users/ana/.orbstack/run/docker.sock',
      expected: { kind: 'socket', socketPath: '/Users/ana/.orbstack/run/docker.sock' },
    },
    {
      endpoint: 'npipe:////./pipe/docker_engine',
      expected: { kind: 'socket', socketPath: '//./pipe/docker_engine' },
    },
    {
      endpoint: 'npipe:////./pipe/dockerDesktopLinuxEngine',
      expected: { kind: 'socket', socketPath: '//./pipe/dockerDesktopLinuxEngine' },
    },
    { endpoint: 'tcp://127.0.0.1:2375', expected: { kind: 'tcp', host: '127.0.0.1', port: 2375, tls: null } },
    {
      endpoint: 'tcp://docker.example',
      expected: { kind: 'tcp', host: 'docker.example', port: 2375, tls: null },
    },
    { endpoint: 'tcp://[::1]:2375', expected: { kind: 'tcp', host: '::1', port: 2375, tls: null } },
    { endpoint: 'localhost:2375', expected: { kind: 'tcp', host: 'localhost', port: 2375, tls: null } },
    {
      endpoint: '  TCP://10.0.0.5:2375  ',
      expected: { kind: 'tcp', host: '10.0.0.5', port: 2375, tls: null },
    },
    {
      endpoint: 'tcp://10.0.0.5',
      env: { DOCKER_TLS_VERIFY: '1' },
      expected: {
        kind: 'tcp',
        host: '10.0.0.5',
        port: 2376,
        tls: {
          caFile: '/home/ana/.docker/ca.pem',
          certFile: '/home/ana/.docker/cert.pem',
          keyFile: '/home/ana/.docker/key.pem',
        },
      },
    },
    {
      endpoint: 'tcp://10.0.0.5:2376',
      env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/etc/docker-certs' },
      expected: {
        kind: 'tcp',
        host: '10.0.0.5',
        port: 2376,
        tls: {
          caFile: '/etc/docker-certs/ca.pem',
          certFile: '/etc/docker-certs/cert.pem',
          keyFile: '/etc/docker-certs/key.pem',
        },
      },
    },
    // A port of 2376 alone does not switch TLS on: the docker CLI decides by DOCKER_TLS_VERIFY.
    { endpoint: 'tcp://10.0.0.5:2376', expected: { kind: 'tcp', host: '10.0.0.5', port: 2376, tls: null } },
  ];
  for (const row of rows) {
    it(`${row.endpoint.trim()}${row.env ? ` with ${JSON.stringify(row.env)}` : ''}`, () => {
      assert.deepEqual(parse(row.endpoint, row.env), row.expected);
    });
  }

  it('ignores DOCKER_CERT_PATH without DOCKER_TLS_VERIFY', () => {
    assert.deepEqual(parse('tcp://10.0.0.5:2375', { DOCKER_CERT_PATH: '/etc/docker-certs' }), {
      kind: 'tcp',
      host: '10.0.0.5',
      port: 2375,
      tls: null,
    });
  });

  const unsupported = ['ssh://ana@build.example', 'fd://', 'unix://', 'npipe://', 'tcp://:2375'];
  for (const endpoint of unsupported) {
    it(`refuses ${endpoint} with a reason instead of guessing`, () => {
      const result = parse(endpoint);
      assert.equal(result.kind, 'unsupported');
      assert.ok(result.kind === 'unsupported' && result.reason.length > 0);
    });
  }

  it('names "docker ps" as the way out for ssh endpoints', () => {
    const result = parse('ssh://ana@build.example');
    assert.ok(result.kind === 'unsupported' && result.reason.includes('docker ps'), JSON.stringify(result));
  });
});
