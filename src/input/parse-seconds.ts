import { TapoError } from '../contract/error-catalogue.ts';

/** Whole seconds from 1 to 3600 (`--ready-timeout 60`, `--health-timeout 10`): no fractions, signs or units. */
export function parseSeconds(raw: unknown, option: string): number {
  if (Array.isArray(raw))
    throw new TapoError('E_USAGE', `${option} was given ${raw.length} times; give it once`);
  const text = typeof raw === 'string' ? raw : String(raw);
  const value = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= 3600)) {
    throw new TapoError('E_USAGE', `invalid ${option} ${JSON.stringify(text)}: whole seconds from 1 to 3600`);
  }
  return value;
}
