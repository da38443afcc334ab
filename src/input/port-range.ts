/** Inclusive port range, for the next-free-port scan. */
export interface PortRange {
  from: number;
  to: number;
}
