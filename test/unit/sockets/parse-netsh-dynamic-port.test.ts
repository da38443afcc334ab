// The dynamic port range from `netsh int ipvX show dynamicport tcp`, recorded outputs in
// test/fixtures/windows (PROVENANCE.md): the default range and the 1024 range an installer set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNetshDynamicPort } from '../../../src/sockets/parse-netsh-dynamic-port.ts';
import { fixture } from '../../support/check-fakes.ts';

describe('parseNetshDynamicPort', () => {
  const cases: [string, string, { start: number; end: number } | null][] = [
    [
      'the default range (usbipd-win#53)',
      fixture('windows/netsh-dynamicport-tcp.en.default.usbipd-win-53.txt'),
      { start: 49152, end: 65535 },
    ],
    [
      'the range from 1024 after a Visual Studio install, CRLF (runner-images#1442)',
      fixture('windows/netsh-dynamicport-tcp.en.start-1024.DERIVED-prefix-removed.crlf.txt'),
      { start: 1024, end: 65534 },
    ],
    // Labels are localized: only the shape `label : number` is read.
    [
      'German labels',
      'Protokoll tcp Dynamischer Portbereich\r\n---------------------------------\r\nStartport       : 1025\r\nAnzahl der Ports: 64511\r\n',
      { start: 1025, end: 65535 },
    ],
    [
      'full-width colons',
      '协议 tcp 动态端口范围\n---------------------------------\n启动端口        ： 49152\n端口数          ： 16384\n',
      { start: 49152, end: 65535 },
    ],
    // The packer log prefix adds a colon before the label: not netsh's own shape, not read.
    [
      'the log lines as packer prefixed them',
      fixture('windows/netsh-dynamicport-tcp.en.start-1024.packer-vhd-prefix.runner-images-1442.txt'),
      null,
    ],
    [
      'an error instead of the table',
      'The following command was not found: interface ipv4 show dynamicport tcp.\r\n',
      null,
    ],
    ['only a start', 'Start Port      : 49152\r\n', null],
    ['a range past 65535', 'Start Port      : 49152\r\nNumber of Ports : 16385\r\n', null],
    ['no ports', 'Start Port      : 49152\r\nNumber of Ports : 0\r\n', null],
    ['empty output', '', null],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(parseNetshDynamicPort(text), expected));
  }
});
