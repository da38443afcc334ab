/**
 * What WSL answered about a port that its relay (wslrelay.exe, older wslhost.exe) holds on
 * Windows. The relay forwards localhost connections into the WSL 2 machine; when no distribution
 * runs, or nothing inside listens on the port any more, it is a leftover and only
 * `wsl --shutdown` ends it.
 */
export type WslRelayFacts =
  | { answer: 'no-distribution-running' }
  /** A program inside listens on the port (WSL 2 distributions share one network namespace). */
  | { answer: 'listening'; distribution: string; addresses: string[] }
  | { answer: 'nothing-listening'; distribution: string }
  /** wsl.exe could not be asked, timed out or answered something unreadable. */
  | { answer: 'unknown'; reason: string };
