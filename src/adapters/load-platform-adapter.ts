import type { PlatformAdapter } from './platform-adapter.ts';

// Loaded on demand: each platform's readers pull in what only that platform needs
// (child_process and ps-list on Windows and macOS, nothing on Linux).
const adapters: Partial<Record<NodeJS.Platform, () => Promise<PlatformAdapter>>> = {
  linux: async () => (await import('./linux-adapter.ts')).linuxAdapter(),
  darwin: async () => (await import('./macos-adapter.ts')).macosAdapter(),
  win32: async () => (await import('./windows-adapter.ts')).windowsAdapter(),
};

/**
 * The adapter of a platform, chosen once (fkill's table). Other systems have no adapter of their
 * own; the Linux one then finds no /proc/net/tcp and the answer is "unknown", never "free".
 */
export function loadPlatformAdapter(platform: NodeJS.Platform): Promise<PlatformAdapter> {
  return (adapters[platform] ?? adapters.linux ?? missingAdapter)();
}

function missingAdapter(): never {
  throw new Error('no platform adapter is registered');
}
