/**
 * wasserstein1 is the Wasserstein-1 (earth mover's) distance between the empirical
 * distributions of two ascending, non-empty, NaN-free samples: ∫ |F_a(x) - F_b(x)| dx,
 * accumulated in one merge pass over both samples (scipy's `wasserstein_distance`).
 */
export function wasserstein1(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let prev = Math.min(a[0], b[0]);
  let total = 0;
  while (i < n || j < m) {
    const x = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    total += Math.abs(i / n - j / m) * (x - prev);
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
    prev = x;
  }
  return total;
}
