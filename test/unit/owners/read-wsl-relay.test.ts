// readWslRelayFacts with recorded answers: which wsl.exe calls it makes (none that starts a
// distribution), and what each answer means for the relay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readWslRelayFacts } from '../../../src/owners/read-wsl-relay.ts';
import type { WslRelayFacts } from '../../../src/owners/wsl-relay-facts.ts';
import { fixture } from '../../support/check-fakes.ts';
import { recordingExec, type ExecAnswer } from '../../support/recording-exec.ts';

const WSL = 'C:\\Windows\\System32\\wsl.exe';
const LIST = `${WSL} --list --running --quiet`;
const TABLES = `${WSL} --distribution Ubuntu --exec cat /proc/net/tcp /proc/net/tcp6`;
const running = Buffer.from(
  fixture('windows/wsl-list-running-quiet.CONSTRUCTED.ubuntu-docker-desktop.utf16le-crlf.bin', 'latin1'),
  'latin1',
);
const tables = Buffer.from(
  fixture('linux/local-debian12-docker-20.10.24/proc-net-tcp.mixed.txt') +
    fixture('linux/local-debian12-docker-20.10.24/proc-net-tcp6.mixed.txt'),
);

const read = async (answers: Record<string, ExecAnswer>, port = 7777) => {
  const { exec, calls } = recordingExec((file, args) => answers[[file, ...args].join(' ')]);
  const facts = await readWslRelayFacts(port, exec, { systemRoot: 'C:\\Windows' });
  return { facts, calls };
};

describe('readWslRelayFacts', () => {
  const cases: [string, Record<string, ExecAnswer>, number, WslRelayFacts][] = [
    [
      'nothing running: a stale relay, and no distribution is started to find out',
      { [LIST]: Buffer.alloc(0) },
      7777,
      { answer: 'no-distribution-running' },
    ],
    [
      'a program inside listens on the port',
      { [LIST]: running, [TABLES]: tables },
      7777,
      { answer: 'listening', distribution: 'Ubuntu', addresses: ['0.0.0.0:7777', '[::]:7777'] },
    ],
    [
      'nothing inside listens on the port',
      { [LIST]: running, [TABLES]: tables },
      7790,
      { answer: 'nothing-listening', distribution: 'Ubuntu' },
    ],
    [
      'wsl.exe is not there',
      { [LIST]: Object.assign(new Error('spawn wsl.exe ENOENT'), { code: 'ENOENT' }) },
      7777,
      { answer: 'unknown', reason: 'could not run wsl.exe --list --running --quiet (ENOENT)' },
    ],
    [
      'the WSL service hangs',
      { [LIST]: { stdout: '', stderr: '', code: null } },
      7777,
      {
        answer: 'unknown',
        reason: 'wsl.exe --list --running --quiet was stopped before it finished (time limit 5000 ms)',
      },
    ],
    [
      'a sentence instead of the list',
      {
        [LIST]: Buffer.from(
          fixture('windows/wsl-list-running.CONSTRUCTED.none-running-message.utf16le-crlf.bin', 'latin1'),
          'latin1',
        ),
      },
      7777,
      { answer: 'unknown', reason: 'wsl --list --running --quiet gave no list' },
    ],
    [
      'the distribution cannot run cat',
      { [LIST]: running, [TABLES]: { stdout: '', stderr: 'exec: cat: not found\n', code: 1 } },
      7777,
      {
        answer: 'unknown',
        reason:
          'wsl.exe --distribution Ubuntu --exec cat /proc/net/tcp /proc/net/tcp6 exited with code 1: exec: cat: not found',
      },
    ],
    [
      'no table came back',
      { [LIST]: running, [TABLES]: Buffer.from('\r\n') },
      7777,
      { answer: 'unknown', reason: 'no TCP table came back from Ubuntu' },
    ],
  ];
  for (const [name, answers, port, expected] of cases) {
    it(name, async () => {
      const { facts, calls } = await read(answers, port);
      assert.deepEqual(facts, expected);
      // Every call is by full path, with a short limit and WSL_UTF8=1, read as latin1.
      for (const call of calls) {
        assert.equal(call.file, WSL);
        assert.deepEqual(call.options, { encoding: 'latin1', timeoutMs: 5000, env: { WSL_UTF8: '1' } });
      }
      assert.deepEqual(calls[0]?.args, ['--list', '--running', '--quiet']);
    });
  }
});
