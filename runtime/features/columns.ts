/** Below this many entries a zeroed array is cheap enough; above it, zeroing is a measurable share of the work. */
const UNINITIALISED_FROM = 1024;

/**
 * allocColumn returns a Float64Array of n entries WITHOUT zeroing it (large
 * sizes come from Buffer.allocUnsafe, so the memory may hold old data). Use it
 * only for output columns whose every entry the caller writes: skipping calloc's
 * zeroing of ~100 MB is about a sixth of computeRowFeatures on a million rows.
 */
export function allocColumn(n: number): Float64Array {
  if (n < UNINITIALISED_FROM) return new Float64Array(n);
  const bytes = Buffer.allocUnsafe(n * 8);
  if (bytes.byteOffset % 8 !== 0) return new Float64Array(n);
  return new Float64Array(bytes.buffer, bytes.byteOffset, n);
}
