/** FLOAT32_JSON_MAX_BYTES bounds the text writeFloat32 produces (`-` and 21 digits for values just below 1e21). */
export const FLOAT32_JSON_MAX_BYTES = 22;

const POW10: number[] = Array.from({ length: 61 }, (_, k) => Number(`1e${k}`));
const DIGITS = new Uint8Array(9);

/** scaled is a * 10^-s rounded to an integer, with exact powers of ten where doubles have them. */
function scaled(a: number, s: number): number {
  return Math.round(s >= 0 ? a / POW10[s] : a * POW10[-s]);
}

/**
 * writeFloat32 writes a finite FP32 value as a JSON number into `buf` at `pos` and
 * returns the position after it: at most 9 significant digits (C's `%.9g`,
 * FLT_DECIMAL_DIG, which is enough for every FP32 value to parse back exactly),
 * trailing zeros dropped, plain notation from 1e-6 to below 1e21 and exponent
 * notation outside, like JavaScript's own. It writes ASCII bytes directly, several
 * times cheaper than Number#toString and about half as long as the FP32 value
 * printed as a double. `buf` needs FLOAT32_JSON_MAX_BYTES free bytes. Throws a
 * RangeError for NaN and infinities, which JSON cannot carry.
 */
export function writeFloat32(buf: Uint8Array, pos: number, v: number): number {
  if (v === 0) {
    buf[pos] = 48;
    return pos + 1;
  }
  if (v - v !== 0) throw new RangeError(`${v} is not a finite number`);
  let a = v;
  if (a < 0) {
    buf[pos++] = 45;
    a = -a;
  }
  let e: number;
  if (a >= 1 && a < 1e9) {
    e = 0;
    while (a >= POW10[e + 1]) e++;
  } else {
    e = Math.floor(Math.log10(a));
  }
  let m = scaled(a, e - 8);
  if (m >= 1e9) m = scaled(a, ++e - 8);
  else if (m < 1e8) m = scaled(a, --e - 8);
  if (m >= 1e9) {
    // Rounding carried into a tenth digit (e.g. 9.999999996 -> 10.0000000).
    m = 1e8;
    e++;
  }
  let n = 9;
  while (m % 10 === 0) {
    m /= 10;
    n--;
  }
  // m < 1e9 < 2^31: integer division by `| 0` is exact.
  for (let k = n - 1; k >= 0; k--) {
    const q = (m / 10) | 0;
    DIGITS[k] = 48 + m - q * 10;
    m = q;
  }
  if (e >= 0 && e < 21) {
    if (e + 1 >= n) {
      for (let k = 0; k < n; k++) buf[pos++] = DIGITS[k];
      for (let k = n; k <= e; k++) buf[pos++] = 48;
      return pos;
    }
    for (let k = 0; k <= e; k++) buf[pos++] = DIGITS[k];
    buf[pos++] = 46;
    for (let k = e + 1; k < n; k++) buf[pos++] = DIGITS[k];
    return pos;
  }
  if (e < 0 && e >= -6) {
    buf[pos++] = 48;
    buf[pos++] = 46;
    for (let k = -1; k > e; k--) buf[pos++] = 48;
    for (let k = 0; k < n; k++) buf[pos++] = DIGITS[k];
    return pos;
  }
  buf[pos++] = DIGITS[0];
  if (n > 1) {
    buf[pos++] = 46;
    for (let k = 1; k < n; k++) buf[pos++] = DIGITS[k];
  }
  buf[pos++] = 101;
  buf[pos++] = e < 0 ? 45 : 43;
  const x = e < 0 ? -e : e;
  if (x >= 10) buf[pos++] = 48 + Math.floor(x / 10);
  buf[pos++] = 48 + (x % 10);
  return pos;
}
