// Reading and mending a Windows PE file (node.exe) as bytes: pure functions on a Buffer, no I/O.
// Only what the single executable needs: where the headers are, the Authenticode certificate
// table (removed before the blob is injected, since injecting invalidates the signature), and
// the header checksum (recomputed after the file changed).

/** A problem with the bytes: not a PE file, or a layout this code does not handle. */
export class PeFormatError extends Error {
  name = 'PeFormatError';
}

const SECURITY_DIRECTORY = 4; // IMAGE_DIRECTORY_ENTRY_SECURITY

/** Where the headers this code touches are, checked as it goes. */
export function readPeLayout(bytes) {
  if (bytes.length < 0x40 || bytes.toString('latin1', 0, 2) !== 'MZ') throw new PeFormatError('no MZ header');
  const peOffset = bytes.readUInt32LE(0x3c);
  if (peOffset + 24 > bytes.length || bytes.toString('latin1', peOffset, peOffset + 4) !== 'PE\0\0') {
    throw new PeFormatError('no PE signature');
  }
  const machine = bytes.readUInt16LE(peOffset + 4);
  const optionalHeader = peOffset + 24;
  const magic = bytes.readUInt16LE(optionalHeader);
  if (magic !== 0x20b && magic !== 0x10b)
    throw new PeFormatError(`unknown optional header magic 0x${magic.toString(16)}`);
  const pe32Plus = magic === 0x20b;
  const directories = optionalHeader + (pe32Plus ? 112 : 96);
  const directoryCount = bytes.readUInt32LE(optionalHeader + (pe32Plus ? 108 : 92));
  return {
    machine,
    /** 0x8664 is x64. */
    isX64: machine === 0x8664,
    pe32Plus,
    subsystem: bytes.readUInt16LE(optionalHeader + 68),
    checksumOffset: optionalHeader + 64,
    securityEntryOffset: directoryCount > SECURITY_DIRECTORY ? directories + SECURITY_DIRECTORY * 8 : null,
  };
}

/** The certificate table (file offset and size), or null when the file is not signed. */
export function certificateTableOf(bytes) {
  const { securityEntryOffset } = readPeLayout(bytes);
  if (securityEntryOffset === null) return null;
  const offset = bytes.readUInt32LE(securityEntryOffset);
  const size = bytes.readUInt32LE(securityEntryOffset + 4);
  return offset === 0 && size === 0 ? null : { offset, size };
}

/**
 * The file without its Authenticode signature, as `signtool remove /s` or `osslsigncode
 * remove-signature` leave it: the security directory entry zeroed and the certificate table,
 * which sits at the end of the file, cut off. A copy; the input is not changed.
 */
export function withoutAuthenticode(bytes) {
  const table = certificateTableOf(bytes);
  const { securityEntryOffset } = readPeLayout(bytes);
  if (table === null) return { bytes: Buffer.from(bytes), removed: false };
  // The table is 8-byte aligned at the end; anything after it would be data we must not lose.
  const end = table.offset + table.size;
  if (end > bytes.length || bytes.length - end >= 8) {
    throw new PeFormatError(
      `the certificate table (${table.offset}+${table.size}) is not at the end of the file (${bytes.length} bytes)`,
    );
  }
  const unsigned = Buffer.from(bytes.subarray(0, table.offset));
  unsigned.writeUInt32LE(0, securityEntryOffset);
  unsigned.writeUInt32LE(0, securityEntryOffset + 4);
  return { bytes: withPeChecksum(unsigned), removed: true };
}

/** The PE header checksum (ImageHlp's CheckSumMappedFile): 16-bit one's-complement sum plus length. */
export function peChecksumOf(bytes) {
  const { checksumOffset } = readPeLayout(bytes);
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    if (i === checksumOffset || i === checksumOffset + 2) continue;
    const word = i + 1 < bytes.length ? bytes.readUInt16LE(i) : bytes[i];
    sum += word;
    sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + bytes.length) >>> 0;
}

/** The same bytes with the header checksum set to what they sum to (changes the buffer given). */
export function withPeChecksum(bytes) {
  const { checksumOffset } = readPeLayout(bytes);
  bytes.writeUInt32LE(peChecksumOf(bytes), checksumOffset);
  return bytes;
}
