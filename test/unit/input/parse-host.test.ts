import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TapoError } from '../../../src/contract/error-catalogue.ts';
import { parseHost, type BindHost } from '../../../src/input/parse-host.ts';

describe('parseHost accepts IP literals and localhost', () => {
  const rows: [string, BindHost][] = [
    ['0.0.0.0', { requested: '0.0.0.0', address: '0.0.0.0', family: 4 }],
    ['127.0.0.1', { requested: '127.0.0.1', address: '127.0.0.1', family: 4 }],
    ['192.168.1.5', { requested: '192.168.1.5', address: '192.168.1.5', family: 4 }],
    ['localhost', { requested: 'localhost', address: '127.0.0.1', family: 4 }],
    ['LocalHost', { requested: 'LocalHost', address: '127.0.0.1', family: 4 }],
    ['::', { requested: '::', address: '::', family: 6 }],
    ['::1', { requested: '::1', address: '::1', family: 6 }],
    ['[::1]', { requested: '[::1]', address: '::1', family: 6 }],
    ['[::]', { requested: '[::]', address: '::', family: 6 }],
    ['fe80::1', { requested: 'fe80::1', address: 'fe80::1', family: 6 }],
    ['2001:DB8::A', { requested: '2001:DB8::A', address: '2001:db8::a', family: 6 }],
    // A v4-mapped address is the IPv4 address: that is what a listener table shows.
    ['::ffff:127.0.0.1', { requested: '::ffff:127.0.0.1', address: '127.0.0.1', family: 4 }],
    // Surrounding blanks (a pasted value) are dropped.
    [' 0.0.0.0 ', { requested: '0.0.0.0', address: '0.0.0.0', family: 4 }],
    ['\tlocalhost\n', { requested: 'localhost', address: '127.0.0.1', family: 4 }],
  ];
  for (const [raw, expected] of rows) {
    it(`${JSON.stringify(raw)} -> ${expected.address} (IPv${expected.family})`, () => {
      assert.deepEqual(parseHost(raw), expected);
    });
  }
});

describe('parseHost refuses names and malformed addresses with E_INVALID_HOST, exit 2', () => {
  const invalid = (shown: string): string => `invalid --host ${shown}: not an IP address or localhost`;
  const rows: [unknown, string][] = [
    ['', invalid('(empty)')],
    ['   ', invalid('(empty)')],
    [undefined, invalid('(empty)')],
    [7777, invalid('(empty)')],
    ['example.com', invalid('"example.com"')],
    ['localhost.localdomain', invalid('"localhost.localdomain"')],
    ['*', invalid('"*"')],
    ['0', invalid('"0"')],
    ['127.1', invalid('"127.1"')],
    ['1.2.3.256', invalid('"1.2.3.256"')],
    ['0.0.0.0:7777', invalid('"0.0.0.0:7777"')],
    ['[::1]:7777', invalid('"[::1]:7777"')],
    ['[::1', invalid('"[::1"')],
    ['::1]', invalid('"::1]"')],
    ['fe80::1%eth0', invalid('"fe80::1%eth0"')],
    ['fe80::1%4', invalid('"fe80::1%4"')],
    ['local host', invalid('"local host"')],
    ['\u0661\u0662\u0667.0.0.1', invalid('"\u0661\u0662\u0667.0.0.1"')],
    ['\x1b[31m0.0.0.0', invalid('"\\u001b[31m0.0.0.0"')],
    ['0.0.0.0\n127.0.0.1', invalid('"0.0.0.0\\n127.0.0.1"')],
    [['0.0.0.0', '::'], '--host was given 2 times; give it once'],
  ];
  for (const [raw, message] of rows) {
    it(`${JSON.stringify(raw)} -> ${message}`, () => {
      assert.throws(
        () => parseHost(raw),
        (error: unknown) => {
          assert.ok(error instanceof TapoError);
          assert.equal(error.code, 'E_INVALID_HOST');
          assert.equal(error.exitCode, 2);
          assert.equal(error.message, message);
          assert.equal(error.hint, 'Give an IP address such as 0.0.0.0, 127.0.0.1, :: or ::1, or localhost.');
          return true;
        },
      );
    });
  }

  it('keeps a control character in the message escaped, so the one-line error cannot be split', () => {
    assert.throws(
      () => parseHost('1.2.3.4\r\nFAKE'),
      (error: unknown) => {
        assert.ok(error instanceof TapoError);
        assert.doesNotMatch(error.message, /[\r\n\x1b]/);
        return true;
      },
    );
  });
});

describe('parseHost: brackets belong to IPv6 only', () => {
  it('refuses [0.0.0.0]', () => {
    assert.throws(() => parseHost('[0.0.0.0]'), { code: 'E_INVALID_HOST' });
  });
  it('accepts [::1]', () => {
    assert.equal(parseHost('[::1]').address, '::1');
  });
});
