import { isIP } from 'node:net';
import { TapoError } from '../contract/error-catalogue.ts';
import { normaliseAddress } from './address-family.ts';

/** The address the dashboard will bind, as the core reasons about it. */
export interface BindHost {
  /** What the user asked for, e.g. `localhost`, `[::1]`, `0.0.0.0`. */
  requested: string;
  /** The IP literal that is probed and compared with listeners. */
  address: string;
  family: 4 | 6;
}

/**
 * Accepts IP literals (IPv6 with or without brackets) and `localhost`. Host names are refused:
 * the dashboard binds an address, and a name that resolves elsewhere would make the answer wrong.
 */
export function parseHost(raw: unknown): BindHost {
  if (Array.isArray(raw))
    throw new TapoError('E_INVALID_HOST', `--host was given ${raw.length} times; give it once`);
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text.toLowerCase() === 'localhost') return { requested: text, address: '127.0.0.1', family: 4 };
  const address = normaliseAddress(text);
  const version = isIP(address);
  const bracketed = text.startsWith('[') || text.endsWith(']');
  if (text === '' || version === 0 || /[^0-9a-fA-F:.[\]]/.test(text) || (bracketed && version !== 6)) {
    const shown = text === '' ? '(empty)' : JSON.stringify(text);
    throw new TapoError('E_INVALID_HOST', `invalid --host ${shown}: not an IP address or localhost`);
  }
  return { requested: text, address, family: version === 6 ? 6 : 4 };
}
