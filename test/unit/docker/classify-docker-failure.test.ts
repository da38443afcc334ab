import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyDockerFailure, type DockerFailure } from '../../../src/docker/classify-docker-failure.ts';

/** Errors shaped like the ones Node's net/http and docker-modem produce (code / statusCode). */
function systemError(code: string, message = `connect ${code} /var/run/docker.sock`): Error {
  return Object.assign(new Error(message), { code });
}

function classify(error: unknown, extra: Partial<DockerFailure> = {}) {
  return classifyDockerFailure({
    error,
    endpoint: 'unix:///var/run/docker.sock',
    deadlineHit: false,
    elapsedMs: 12,
    timeoutMs: 2000,
    ...extra,
  });
}

describe('classifyDockerFailure', () => {
  const states: { name: string; error: unknown; extra?: Partial<DockerFailure>; state: string }[] = [
    { name: 'missing socket (ENOENT)', error: systemError('ENOENT'), state: 'not-running' },
    { name: 'refused (ECONNREFUSED)', error: systemError('ECONNREFUSED'), state: 'not-running' },
    { name: 'unknown host (ENOTFOUND)', error: systemError('ENOTFOUND'), state: 'not-running' },
    {
      name: 'our deadline fired',
      error: null,
      extra: { deadlineHit: true, elapsedMs: 2001 },
      state: 'unresponsive',
    },
    {
      name: "dockerode's per-request timeout won the race (socket hang up at the budget)",
      error: systemError('ECONNRESET', 'socket hang up'),
      extra: { elapsedMs: 2000 },
      state: 'unresponsive',
    },
    {
      name: 'a reset well before the budget is an error, not a timeout',
      error: systemError('ECONNRESET', 'socket hang up'),
      extra: { elapsedMs: 40 },
      state: 'error',
    },
    { name: 'permission denied (EACCES)', error: systemError('EACCES'), state: 'error' },
    {
      name: 'HTTP 500 from the engine',
      error: Object.assign(new Error('(HTTP code 500) server error - boom '), { statusCode: 500 }),
      state: 'error',
    },
    { name: 'a thrown string', error: 'weird', state: 'error' },
  ];
  for (const row of states) {
    it(`${row.name} -> ${row.state}`, () => {
      assert.equal(classify(row.error, row.extra).state, row.state);
    });
  }

  it('names the endpoint and the budget when the engine does not answer', () => {
    const status = classify(null, { deadlineHit: true, endpoint: 'npipe:////./pipe/docker_engine' });
    assert.match(status.message ?? '', /npipe:\/\/\/\/\.\/pipe\/docker_engine/);
    assert.match(status.message ?? '', /2000 ms/);
  });

  it('tells a user without access to the socket how to get it', () => {
    assert.match(classify(systemError('EACCES')).message ?? '', /docker group/);
  });

  it('decides by code, not by message text', () => {
    assert.equal(classify(new Error('connect ENOENT /var/run/docker.sock')).state, 'error');
  });
});
