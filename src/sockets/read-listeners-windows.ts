import { system32Of } from '../system/windows-paths.ts';
import { win32 } from 'node:path';
import { isToolFailure, runTool } from '../system/exec.ts';
import type { Exec, ExecOptions } from '../system/exec.ts';
import type { ListenerTable } from './listener.ts';
import { parseExcludedPortRanges } from './parse-netsh-excluded-ranges.ts';
import { parseWindowsNetstat } from './parse-netstat-windows.ts';
import { parseNetshDynamicPort } from './parse-netsh-dynamic-port.ts';
import type { DynamicPortRange, ReservedRange } from './reserved-range.ts';

export interface WindowsReaderOptions {
  /** `%SystemRoot%`. Tools run by full path: Windows looks in the working folder before PATH. */
  systemRoot?: string;
  timeoutMs?: number;
}

export interface WindowsReservedRanges {
  /** Excluded TCP port ranges of the families that could be read. */
  ranges: ReservedRange[];
  /** Families whose table could not be read: unknown, which is not the same as "no ranges". */
  unreadFamilies: (4 | 6)[];
  warnings: string[];
}

export const NETSTAT_SOURCE = 'netstat -ano';
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Listeners from `netstat -ano`; every TCP listener when `port` is undefined.
 *
 * netstat and netsh write in the console's OEM code page (CP437, CP850, CP936, ...), which Node
 * cannot decode. Everything read from them is ASCII (addresses, ports, PIDs); only the headers
 * and state words are localized, and the parsers never read those. latin1 maps each byte to one
 * character, so the ASCII fields come through intact whatever the code page, and no invalid
 * multi-byte sequence can merge into a neighbouring column as it could when decoding as UTF-8.
 */
export async function readWindowsListenerTable(
  port: number | undefined,
  exec: Exec,
  options: WindowsReaderOptions = {},
): Promise<ListenerTable> {
  const result = await runTool(
    exec,
    win32.join(system32Of(options), 'netstat.exe'),
    ['-ano'],
    latin1(options),
  );
  if (isToolFailure(result)) {
    return {
      readable: false,
      source: NETSTAT_SOURCE,
      reason: result.reason,
      warnings: [],
      ...(result.missing ? { missingTool: 'netstat.exe' } : {}),
    };
  }
  // Every Windows machine listens on TCP 135 and 445; output without a TCP row is not the table.
  if (!/^[ \t]*TCP[ \t]/im.test(result.stdout)) {
    return {
      readable: false,
      source: NETSTAT_SOURCE,
      reason: 'netstat -ano printed no TCP rows',
      warnings: [],
    };
  }
  return {
    readable: true,
    source: NETSTAT_SOURCE,
    listeners: parseWindowsNetstat(result.stdout, port),
    warnings: [],
  };
}

/** Excluded TCP port ranges (Hyper-V, WinNAT, WSL, Docker, administrators) of IPv4 and IPv6. */
export async function readWindowsReservedRanges(
  exec: Exec,
  options: WindowsReaderOptions = {},
): Promise<WindowsReservedRanges> {
  const netsh = win32.join(system32Of(options), 'netsh.exe');
  const families = [4, 6] as const;
  const results = await Promise.all(
    families.map((family) =>
      runTool(
        exec,
        netsh,
        ['interface', `ipv${family}`, 'show', 'excludedportrange', 'protocol=tcp'],
        latin1(options),
      ),
    ),
  );
  const reserved: WindowsReservedRanges = { ranges: [], unreadFamilies: [], warnings: [] };
  families.forEach((family, index) => {
    const result = results[index];
    if (result === undefined || isToolFailure(result)) {
      reserved.unreadFamilies.push(family);
      reserved.warnings.push(`IPv${family} excluded port ranges are unknown: ${result?.reason ?? 'not run'}`);
    } else {
      reserved.ranges.push(...parseExcludedPortRanges(result.stdout, family));
    }
  });
  return reserved;
}

/**
 * The dynamic port range of IPv4 and IPv6 (`netsh interface ipvX show dynamicport tcp`), asked
 * only by `check` (find-port has no use for it). Only a hint for keeping the port: a family whose
 * range cannot be read is left out without a warning.
 */
export async function readWindowsDynamicPortRanges(
  exec: Exec,
  options: WindowsReaderOptions = {},
): Promise<DynamicPortRange[]> {
  const netsh = win32.join(system32Of(options), 'netsh.exe');
  const families = [4, 6] as const;
  const results = await Promise.all(
    families.map((family) =>
      runTool(exec, netsh, ['interface', `ipv${family}`, 'show', 'dynamicport', 'tcp'], latin1(options)),
    ),
  );
  return families.flatMap((family, index) => {
    const result = results[index];
    const range = result === undefined || isToolFailure(result) ? null : parseNetshDynamicPort(result.stdout);
    return range === null ? [] : [{ ...range, family }];
  });
}

function latin1(options: WindowsReaderOptions): ExecOptions {
  return { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, encoding: 'latin1' };
}
