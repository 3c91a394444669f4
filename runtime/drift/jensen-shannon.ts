/**
 * jensenShannonFromCounts is the Jensen-Shannon distance in base 2 (the square root of
 * the divergence, scipy's `jensenshannon(p, q, base=2)`) between two count vectors over
 * the same buckets, each normalised to shares: 0 for identical shares, 1 for disjoint
 * support. Empty buckets need no epsilon. 0 when either side is empty.
 */
export function jensenShannonFromCounts(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let pTotal = 0;
  let qTotal = 0;
  for (let i = 0; i < reference.length; i++) {
    pTotal += reference[i];
    qTotal += current[i];
  }
  if (pTotal === 0 || qTotal === 0) return 0;
  let divergence = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i] / pTotal;
    const q = current[i] / qTotal;
    const mid = (p + q) / 2;
    if (p > 0) divergence += p * Math.log2(p / mid);
    if (q > 0) divergence += q * Math.log2(q / mid);
  }
  return Math.sqrt(Math.min(1, Math.max(0, divergence / 2)));
}
