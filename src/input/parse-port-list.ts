import { TapoError } from '../contract/error-catalogue.ts';
import type { PortRange } from './port-range.ts';
import { parsePort } from './parse-port.ts';

/**
 * `--exclude 7778,8000-8010`: single ports and inclusive ranges, comma separated. Every item is
 * checked like `--port`; a reversed range is refused rather than silently swapped.
 */
export function parsePortList(raw: unknown, optionName = '--exclude'): PortRange[] {
  if (raw === undefined) return [];
  const items = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => String(value).split(','));
  return items.map((item) => {
    const text = item.trim();
    const range = /^(\d+)-(\d+)$/.exec(text);
    if (!range) {
      const port = parsePort(text, optionName);
      return { from: port, to: port };
    }
    const from = parsePort(range[1], optionName);
    const to = parsePort(range[2], optionName);
    if (from > to) {
      throw new TapoError(
        'E_INVALID_PORT',
        `invalid ${optionName} ${JSON.stringify(text)}: the range runs backwards`,
      );
    }
    return { from, to };
  });
}
