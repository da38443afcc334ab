import { TapoError } from '../contract/error-catalogue.ts';

/**
 * A port as a user typed it. Only plain decimal digits are accepted: `0x1E61`, `7777.5`,
 * `1e3`, ` 77 ` and `+80` are refused rather than silently reinterpreted.
 */
export function parsePort(raw: unknown, optionName = '--port'): number {
  if (Array.isArray(raw)) {
    throw new TapoError('E_INVALID_PORT', `${optionName} was given ${raw.length} times; give it once`);
  }
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '';
  const shown = text === '' ? '(empty)' : JSON.stringify(text);
  if (!/^[0-9]{1,5}$/.test(text)) {
    throw new TapoError(
      'E_INVALID_PORT',
      `invalid ${optionName} ${shown}: not a whole number from 1 to 65535`,
    );
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new TapoError('E_INVALID_PORT', `invalid ${optionName} ${shown}: out of range 1-65535`);
  }
  return port;
}
