// Order statistics for the benchmark: medians and nearest-rank percentiles, never means, because
// one descheduled run on a noisy machine would move a mean but not a median.

/** The p-th percentile (0 < p <= 100) by nearest rank; null for no values. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The median; the mean of the middle two for an even count. Null for no values. */
export function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** a / b, or null when either is unknown or b is not positive. */
export function ratio(a, b) {
  if (a === null || b === null || !(b > 0)) return null;
  return a / b;
}

/**
 * The median of per-round ratios a[i] / b[i]: both were measured in the same round, so noise that
 * hits one round hits both sides of its ratio.
 */
export function pairedRatio(a, b) {
  const ratios = [];
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    if (b[i] > 0) ratios.push(a[i] / b[i]);
  }
  return median(ratios);
}
