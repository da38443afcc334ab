/** A Windows excluded port range (`netsh interface ipvX show excludedportrange protocol=tcp`). */
export interface ReservedRange {
  start: number;
  end: number;
  family: 4 | 6;
  /** `*` rows: added by an administrator, not by Hyper-V/WinNAT at boot. */
  administered: boolean;
}

export function findReservedRange(ranges: readonly ReservedRange[], port: number): ReservedRange | null {
  return ranges.find((range) => port >= range.start && port <= range.end) ?? null;
}

/**
 * Windows' dynamic (ephemeral) TCP port range of a family: 49152-65535 by default, 1024-65535
 * after some updates and installers. Hyper-V/WinNAT draw their excluded ranges from it at boot.
 */
export interface DynamicPortRange {
  start: number;
  end: number;
  family: 4 | 6;
}

export function findDynamicPortRange(
  ranges: readonly DynamicPortRange[],
  family: 4 | 6,
  port: number,
): DynamicPortRange | null {
  return ranges.find((range) => range.family === family && port >= range.start && port <= range.end) ?? null;
}
