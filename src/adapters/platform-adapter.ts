import type { ProcessFacts } from '../owners/process-facts.ts';
import type { WslRelayFacts } from '../owners/wsl-relay-facts.ts';
import type { ListenerTable } from '../sockets/listener.ts';
import type { DynamicPortRange, ReservedRange } from '../sockets/reserved-range.ts';

/** What differs between operating systems; everything else is shared. */
export interface PlatformAdapter {
  readListeners(port: number): Promise<ListenerTable>;
  /** TCP listeners on ports `from`..`to` (no owner lookup), for the next-free-port scan. */
  readListenersBetween(from: number, to: number): Promise<ListenerTable>;
  /** Windows excluded port ranges (IPv4 and IPv6); empty elsewhere. */
  readReservedRanges(): Promise<{ ranges: ReservedRange[]; warnings: string[] }>;
  /** Windows' dynamic port ranges (IPv4 and IPv6), which Hyper-V/WinNAT reserve from; absent elsewhere. */
  readDynamicPortRanges?(): Promise<DynamicPortRange[]>;
  readOwnerFacts(
    pids: number[],
  ): Promise<{ processes: Map<number, ProcessFacts>; services: Map<number, string[]>; warnings?: string[] }>;
  /** What WSL says about a port its relay holds (Windows only). */
  readWslRelay?(port: number): Promise<WslRelayFacts>;
  readHttpSys(port: number): Promise<{ urls: string[]; processIds: number[]; warnings?: string[] } | null>;
}
