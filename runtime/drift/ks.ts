/**
 * ksStatistic is the two-sample Kolmogorov-Smirnov statistic D = sup |F_a(x) - F_b(x)|
 * of two ascending, non-empty, NaN-free samples; ties are handled by stepping past
 * every copy of a value before comparing the empirical CDFs.
 */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i], b[j]);
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * kolmogorovSurvival is P(K > x) for the Kolmogorov distribution (scipy's
 * `kstwobign.sf`): the alternating series 2 Σ (-1)^(k-1) exp(-2k²x²) for x >= 1.18 and
 * the Jacobi-theta form 1 - √(2π)/x Σ exp(-(2k-1)²π²/(8x²)) below, each converging in
 * a handful of terms.
 */
export function kolmogorovSurvival(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1.18) {
    const f = -(Math.PI * Math.PI) / (8 * x * x);
    let s = 0;
    for (let k = 1; k <= 20; k++) {
      const j = 2 * k - 1;
      const t = Math.exp(f * j * j);
      s += t;
      if (t <= 1e-17 * s) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * s));
  }
  let s = 0;
  let sign = 1;
  for (let k = 1; k <= 100; k++) {
    const t = Math.exp(-2 * k * k * x * x);
    s += sign * t;
    sign = -sign;
    if (t <= 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/**
 * ksPValue is the asymptotic two-sided p-value of a two-sample KS statistic `d` for
 * sample sizes `n` and `m`, with Stephens' small-sample correction as in scipy's
 * `ks_2samp` 'asymp' mode (scipy <= 1.4): en = √(nm/(n+m)),
 * p = kolmogorovSurvival((en + 0.12 + 0.11/en)·d).
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (!(n > 0 && m > 0)) return 1;
  const en = Math.sqrt((n * m) / (n + m));
  return kolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
}
