import { win32 } from 'node:path';

/** Windows' System32 folder, where the tools we run live (never a same-named program on PATH). */
export function system32Of(options: { systemRoot?: string }): string {
  return win32.join(options.systemRoot ?? process.env['SystemRoot'] ?? 'C:\\Windows', 'System32');
}
