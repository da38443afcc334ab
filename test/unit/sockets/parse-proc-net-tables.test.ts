// `cat /proc/net/tcp /proc/net/tcp6` (what tapo-port reads inside WSL): the two real tables of
// test/fixtures/linux/local-debian12-docker-20.10.24, one after the other as cat prints them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcNetTables } from '../../../src/sockets/parse-proc-net-tables.ts';
import { fixture } from '../../support/check-fakes.ts';

const tcp = fixture('linux/local-debian12-docker-20.10.24/proc-net-tcp.mixed.txt');
const tcp6 = fixture('linux/local-debian12-docker-20.10.24/proc-net-tcp6.mixed.txt');

describe('parseProcNetTables', () => {
  const both = tcp + tcp6;
  const cases: [string, string, number, string[] | null][] = [
    ['a port on both wildcards', both, 7777, ['0.0.0.0:7777', '[::]:7777']],
    ['a port only in the IPv6 table (::1)', both, 7782, ['[::1]:7782']],
    ['a port only in the IPv4 table', both, 7780, ['127.0.0.1:7780']],
    ['a port nothing listens on', both, 7790, []],
    ['CRLF (as wsl.exe may pass it on)', both.replace(/\n/g, '\r\n'), 7777, ['0.0.0.0:7777', '[::]:7777']],
    ['only the IPv4 table (no tcp6 in the distribution)', tcp, 7777, ['0.0.0.0:7777']],
    ['not the tables at all', 'cat: /proc/net/tcp: No such file or directory\n', 7777, null],
    ['nothing', '', 7777, null],
  ];
  for (const [name, text, port, expected] of cases) {
    it(name, () => assert.deepEqual(parseProcNetTables(text, port), expected));
  }
});
