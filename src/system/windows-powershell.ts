import { win32 } from 'node:path';
import { system32Of } from './windows-paths.ts';

/** Windows PowerShell 5.1 from System32: present on every Windows, never a same-named program on PATH. */
export function windowsPowerShellPath(options: { systemRoot?: string } = {}): string {
  return win32.join(system32Of(options), 'WindowsPowerShell', 'v1.0', 'powershell.exe');
}

/**
 * `powershell.exe -EncodedCommand` takes the script as base64 of UTF-16LE: the C# inside needs
 * double quotes, which a `-Command` argument cannot carry safely through a Windows command line.
 */
export function encodePowerShellCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}
