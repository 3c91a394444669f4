/**
 * seededRandom returns a deterministic generator of floats in [0, 1) (mulberry32):
 * the same seed always yields the same sequence, on every platform. Training uses
 * it for weight-initialiser seeds and per-epoch shuffles so runs are reproducible.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** seededInteger draws an integer in [0, 2^31) from a generator, for seeding TensorFlow.js initialisers. */
export function seededInteger(random: () => number): number {
  return Math.floor(random() * 2147483648);
}

/**
 * shuffleInPlace permutes `order` uniformly (Fisher-Yates) with the given
 * generator and returns it; same generator state, same permutation.
 */
export function shuffleInPlace(order: Int32Array | Uint32Array, random: () => number): Int32Array | Uint32Array {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}

/**
 * seededGaussian returns a generator of standard normal draws (Box-Muller) driven
 * by a seeded uniform generator, for synthetic data in tests and benchmarks.
 */
export function seededGaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}
