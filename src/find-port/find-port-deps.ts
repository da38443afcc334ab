import { loadPlatformAdapter } from '../adapters/load-platform-adapter.ts';
import { probeBind } from '../system/bind-probe.ts';
import type { FindPortDeps } from './run-find-port.ts';

/** What find-port needs: the platform's table reader, reserved ranges and the bind probe. */
export function createFindPortDeps(platform: NodeJS.Platform = process.platform): FindPortDeps {
  const adapter = loadPlatformAdapter(platform);
  return {
    readListenersBetween: async (from, to) => (await adapter).readListenersBetween(from, to),
    readReservedRanges: async () => (await adapter).readReservedRanges(),
    probeBind,
  };
}
