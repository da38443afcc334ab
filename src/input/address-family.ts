import { isIPv4, isIPv6 } from 'node:net';

/** `[::1]` -> `::1`; `::ffff:127.0.0.1` -> `127.0.0.1`; drops a zone id (`fe80::1%4`). */
export function normaliseAddress(raw: string): string {
  let address = raw.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (address === '*') return '0.0.0.0';
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  return address.toLowerCase();
}

export function familyOf(address: string): 4 | 6 | null {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  return null;
}

/** `127.0.0.1:7777`, `[::1]:7777`. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Where a bind on `address` is reached from this machine: a wildcard is not an address to
 * connect to, so 0.0.0.0 is asked on 127.0.0.1 and :: (in any spelling) on ::1.
 */
export function connectAddressOf(address: string): string {
  const normal = normaliseAddress(address);
  if (normal === 'localhost' || normal === '0.0.0.0') return '127.0.0.1';
  if (isIPv6(normal) && /^[0:]+$/.test(normal)) return '::1';
  return normal;
}
