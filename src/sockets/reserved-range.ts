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
