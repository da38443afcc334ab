import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLocalDockerEndpoint } from '../../../src/docker/is-local-docker-endpoint.ts';

describe('isLocalDockerEndpoint', () => {
  const cases: [string, boolean][] = [
    ['unix:///var/run/docker.sock', true],
    ['npipe:////./pipe/docker_engine', true],
    ['tcp://localhost:2375', true],
    ['tcp://127.0.0.1:2375', true],
    ['tcp://[::1]:2375', true],
    ['tcp://192.168.1.20:2376', false],
    ['tcp://build-server.example:2376', false],
    ['tcp://localhost.example.com:2376', false],
    ['ssh://me@server', false],
  ];
  for (const [endpoint, local] of cases) {
    it(`${endpoint} -> ${local ? 'this machine' : 'another machine'}`, () => {
      assert.equal(isLocalDockerEndpoint(endpoint), local);
    });
  }
});
