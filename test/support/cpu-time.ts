// A bound on work, not on the clock: the CPU time (user + system) this process spends in a
// synchronous call. Other processes on a loaded machine take turns on the CPU but do not add to
// it, so a bound set far above the measured cost tells "linear" from "quadratic" without the
// flakiness of a wall-clock bound.

/** Runs `work` synchronously; returns its result and the CPU milliseconds this process spent on it. */
export function cpuTimeOf<T>(work: () => T): { result: T; cpuMs: number } {
  const before = process.cpuUsage();
  const result = work();
  const used = process.cpuUsage(before);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}
