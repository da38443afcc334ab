import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSsListeners } from '../../../src/sockets/parse-ss.ts';
import { relateListener, type ListenerRelation } from '../../../src/sockets/relate-listener.ts';
import { fixture, host, listener } from '../../support/check-fakes.ts';

type Row = [
  listenerAddress: string,
  family: 4 | 6,
  dualStack: boolean | null,
  host: string,
  ListenerRelation,
];

describe('relateListener', () => {
  const rows: Row[] = [
    // Same family: a wildcard on either side, or the same address, blocks.
    ['0.0.0.0', 4, false, '0.0.0.0', 'blocks'],
    ['127.0.0.1', 4, false, '0.0.0.0', 'blocks'],
    ['192.168.1.5', 4, false, '0.0.0.0', 'blocks'],
    ['0.0.0.0', 4, false, '127.0.0.1', 'blocks'],
    ['0.0.0.0', 4, false, '192.168.1.5', 'blocks'],
    ['127.0.0.1', 4, false, '127.0.0.1', 'blocks'],
    ['127.0.0.1', 4, false, 'localhost', 'blocks'],
    ['192.168.1.5', 4, false, '127.0.0.1', 'none'],
    ['127.0.0.1', 4, false, '192.168.1.5', 'none'],
    ['::', 6, null, '::', 'blocks'],
    ['::1', 6, false, '::', 'blocks'],
    ['::', 6, false, '::1', 'blocks'],
    ['::1', 6, false, '[::1]', 'blocks'],
    ['fe80::1', 6, false, '::1', 'none'],
    ['::1', 6, false, 'fe80::1', 'none'],
    // Other family: a dual-stack IPv6 wildcard owns every IPv4 address.
    ['::', 6, true, '0.0.0.0', 'blocks'],
    ['::', 6, true, '127.0.0.1', 'blocks'],
    ['::', 6, true, '192.168.1.5', 'blocks'],
    // v6-only or unknown: only the localhost answer is at stake.
    ['::', 6, false, '0.0.0.0', 'shadows'],
    ['::', 6, null, '0.0.0.0', 'shadows'],
    ['::1', 6, false, '0.0.0.0', 'shadows'],
    ['::1', 6, false, '127.0.0.1', 'shadows'],
    ['::1', 6, false, 'localhost', 'shadows'],
    ['::', 6, null, '127.0.0.1', 'shadows'],
    ['::1', 6, false, '192.168.1.5', 'none'],
    ['::', 6, false, '192.168.1.5', 'none'],
    ['fe80::1', 6, false, '0.0.0.0', 'none'],
    ['2001:db8::5', 6, false, '127.0.0.1', 'none'],
    ['0.0.0.0', 4, false, '::', 'shadows'],
    ['0.0.0.0', 4, false, '::1', 'shadows'],
    ['127.0.0.1', 4, false, '::1', 'shadows'],
    ['127.0.0.1', 4, false, '::', 'shadows'],
    ['192.168.1.5', 4, false, '::', 'none'],
    ['192.168.1.5', 4, false, '::1', 'none'],
    ['0.0.0.0', 4, false, 'fe80::1', 'none'],
  ];
  for (const [address, family, dualStack, hostText, expected] of rows) {
    it(`${address} (IPv${family}, dualStack ${dualStack}) vs --host ${hostText}: ${expected}`, () => {
      assert.equal(relateListener(listener({ address, family, dualStack }), host(hostText)), expected);
    });
  }

  it('relates the sockets of a recorded ss table: dual-stack *:7783 blocks 127.0.0.1, [::1]:7782 shadows', () => {
    const table = fixture('linux/local-debian12-docker-20.10.24/ss-tunlp.mixed.txt');
    const relate = (port: number, hostText: string): [string, ListenerRelation][] =>
      parseSsListeners(table, port).map((l) => [l.address, relateListener(l, host(hostText))]);
    assert.deepEqual(relate(7783, '127.0.0.1'), [['::', 'blocks']]);
    assert.deepEqual(relate(7782, '0.0.0.0'), [['::1', 'shadows']]);
    assert.deepEqual(relate(7782, '192.168.1.5'), [['::1', 'none']]);
    assert.deepEqual(relate(7780, '0.0.0.0'), [['127.0.0.1', 'blocks']]);
    assert.deepEqual(relate(7780, '192.168.1.5'), [['127.0.0.1', 'none']]);
    assert.deepEqual(relate(7777, '0.0.0.0'), [
      ['0.0.0.0', 'blocks'],
      ['::', 'shadows'],
    ]);
  });
});

describe('relateListener: only 127.0.0.1 and ::1 answer "localhost"', () => {
  it('a listener on 127.0.0.2 does not shadow a dashboard on ::1', () => {
    assert.equal(relateListener(listener({ address: '127.0.0.2', family: 4 }), host('::1')), 'none');
  });
});
