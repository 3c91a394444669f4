/** PSI_EPSILON is the share given to an empty bin so PSI stays finite (Evidently's 0.0001). */
export const PSI_EPSILON = 1e-4;

/**
 * psiFromCounts is the population stability index Σ (q_i - p_i)·ln(q_i / p_i) between
 * reference bin counts `reference` (p) and current bin counts `current` (q) over the
 * same bins; each side is normalised to shares and an empty bin counts as `epsilon`.
 * 0 when either side is empty.
 */
export function psiFromCounts(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  epsilon: number = PSI_EPSILON,
): number {
  const refTotal = sum(reference);
  const curTotal = sum(current);
  if (refTotal === 0 || curTotal === 0) return 0;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i] > 0 ? reference[i] / refTotal : epsilon;
    const q = current[i] > 0 ? current[i] / curTotal : epsilon;
    psi += (q - p) * Math.log(q / p);
  }
  return psi;
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}
