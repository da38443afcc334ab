// scripts/sea/pe-file.mjs on PE files written here byte by byte (the real node.exe is checked
// against osslsigncode in test/integration/package.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error: a plain .mjs build script, no types
import * as pe from '../../../scripts/sea/pe-file.mjs';

const PE_OFFSET = 0x80;
const OPTIONAL = PE_OFFSET + 24;
const SECURITY_ENTRY = OPTIONAL + 112 + 4 * 8;

/** A minimal PE32+ image: headers, `body` bytes, then an optional certificate table. */
function peFile(options: { body?: number; certificate?: number; trailing?: number } = {}): Buffer {
  const headers = SECURITY_ENTRY + 8 + 11 * 8;
  const body = options.body ?? 64;
  const certificate = options.certificate ?? 0;
  const bytes = Buffer.alloc(headers + body + certificate + (options.trailing ?? 0), 0x11);
  bytes.fill(0, 0, headers);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(PE_OFFSET, 0x3c);
  bytes.write('PE\0\0', PE_OFFSET, 'latin1');
  bytes.writeUInt16LE(0x8664, PE_OFFSET + 4);
  bytes.writeUInt16LE(0x20b, OPTIONAL);
  bytes.writeUInt16LE(3, OPTIONAL + 68);
  bytes.writeUInt32LE(16, OPTIONAL + 108);
  if (certificate > 0) {
    bytes.writeUInt32LE(headers + body, SECURITY_ENTRY);
    bytes.writeUInt32LE(certificate, SECURITY_ENTRY + 4);
    bytes.fill(0xcc, headers + body, headers + body + certificate);
  }
  return bytes;
}

describe('readPeLayout', () => {
  it('reads an x64 console PE32+ image', () => {
    const layout = pe.readPeLayout(peFile());
    assert.deepEqual(
      { isX64: layout.isX64, pe32Plus: layout.pe32Plus, subsystem: layout.subsystem },
      { isX64: true, pe32Plus: true, subsystem: 3 },
    );
    assert.equal(layout.securityEntryOffset, SECURITY_ENTRY);
  });

  it('refuses what is not a PE file', () => {
    assert.throws(
      () => pe.readPeLayout(Buffer.from('#!/bin/sh\necho not a PE file at all, just text\n'.repeat(3))),
      {
        name: 'PeFormatError',
        message: 'no MZ header',
      },
    );
    const noSignature = peFile();
    noSignature.write('XX', PE_OFFSET, 'latin1');
    assert.throws(() => pe.readPeLayout(noSignature), { message: 'no PE signature' });
  });
});

describe('withoutAuthenticode', () => {
  it('cuts the certificate table off the end and zeroes its directory entry', () => {
    const signed = peFile({ body: 64, certificate: 40 });
    assert.deepEqual(pe.certificateTableOf(signed), { offset: signed.length - 40, size: 40 });
    const { bytes, removed } = pe.withoutAuthenticode(signed);
    assert.equal(removed, true);
    assert.equal(bytes.length, signed.length - 40);
    assert.equal(pe.certificateTableOf(bytes), null);
    assert.equal(bytes.includes(0xcc), false, 'no byte of the certificate is left');
    // Everything before the table is kept, but for the entry and the checksum.
    const layout = pe.readPeLayout(bytes);
    const same = (a: Buffer, b: Buffer): void => {
      for (let i = 0; i < a.length; i++) {
        if (i >= layout.checksumOffset && i < layout.checksumOffset + 4) continue;
        if (i >= SECURITY_ENTRY && i < SECURITY_ENTRY + 8) continue;
        assert.equal(a[i], b[i], `byte ${i}`);
      }
    };
    same(bytes, signed.subarray(0, bytes.length));
    assert.equal(bytes.readUInt32LE(layout.checksumOffset), pe.peChecksumOf(bytes));
    assert.notEqual(pe.peChecksumOf(bytes), 0);
  });

  it('leaves an unsigned file as it is (a copy)', () => {
    const unsigned = peFile();
    const { bytes, removed } = pe.withoutAuthenticode(unsigned);
    assert.equal(removed, false);
    assert.deepEqual(bytes, unsigned);
    assert.notEqual(bytes, unsigned);
  });

  it('refuses a certificate table that is not at the end: data after it would be lost', () => {
    const odd = peFile({ body: 64, certificate: 40, trailing: 16 });
    assert.throws(() => pe.withoutAuthenticode(odd), /is not at the end of the file/);
  });
});

describe('peChecksumOf', () => {
  it('is the 16-bit folded sum of the words, skipping the checksum field, plus the length', () => {
    const bytes = peFile({ body: 3 }); // an odd length: the last byte counts alone
    const { checksumOffset } = pe.readPeLayout(bytes);
    let sum = 0;
    for (let i = 0; i < bytes.length; i += 2) {
      if (i === checksumOffset || i === checksumOffset + 2) continue;
      sum += i + 1 < bytes.length ? bytes.readUInt16LE(i) : (bytes[i] ?? 0);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    }
    assert.equal(pe.peChecksumOf(bytes), sum + bytes.length);
    bytes.writeUInt32LE(0xdeadbeef, checksumOffset);
    assert.equal(pe.peChecksumOf(bytes), sum + bytes.length, 'the stored checksum does not count');
  });
});
