import { seededRandom } from '../../runtime/models/random.ts';

/** mulberry32 is the project's seeded PRNG (runtime/models/random.ts) under the name the drift tests use. */
export const mulberry32 = seededRandom;

/** normalSample draws `n` normal values with `mean` and `std` from `random` by Box-Muller. */
export function normalSample(random: () => number, n: number, mean = 0, std = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const theta = 2 * Math.PI * random();
    out[i] = mean + std * r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(theta);
  }
  return out;
}
