/**
 * float32Number returns a short decimal number that converts back to the same FP32
 * value as `v` (7, 8 or at most 9 significant digits), so a forecast of FP32
 * 21.3 prints as 21.3 rather than 21.299999237060547. `v` must be finite.
 */
export function float32Number(v: number): number {
  const f = Math.fround(v);
  for (let digits = 7; digits < 9; digits++) {
    const n = Number(f.toPrecision(digits));
    if (Math.fround(n) === f) return n;
  }
  return Number(f.toPrecision(9));
}
