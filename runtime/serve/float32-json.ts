/** FLOAT32_JSON_MAX_BYTES bounds the text writeFloat32 produces (`-` and 21 digits for values just below 1e21). */
export const FLOAT32_JSON_MAX_BYTES = 22;

const POW10: number[] = Array.from({ length: 61 }, (_, k) => Number(`1e${k}`));

/** NEG_POW10[k] is 10^-k, for finding the exponent of values below 1 without a logarithm. */
const NEG_POW10: number[] = Array.from({ length: 61 }, (_, k) => Number(`1e-${k}`));

/** scaled is a * 10^-s rounded to an integer, with exact powers of ten where doubles have them. */
function scaled(a: number, s: number): number {
  return Math.round(s >= 0 ? a / POW10[s] : a * POW10[-s]);
}

/** TRIPLES holds the three ASCII digits of 0..999, so digits are written three per division. */
const TRIPLES = new Uint8Array(3000);
for (let i = 0; i < 1000; i++) {
  TRIPLES[3 * i] = 48 + ((i / 100) | 0);
  TRIPLES[3 * i + 1] = 48 + (((i / 10) | 0) % 10);
  TRIPLES[3 * i + 2] = 48 + (i % 10);
}

/** writeDigits writes the integer m (< 2^31) as exactly end - start digits, zero-padded on the left. */
function writeDigits(buf: Uint8Array, start: number, end: number, m: number): void {
  let i = end;
  while (i - start >= 3) {
    const q = (m / 1000) | 0;
    const d = (m - q * 1000) * 3;
    buf[--i] = TRIPLES[d + 2];
    buf[--i] = TRIPLES[d + 1];
    buf[--i] = TRIPLES[d];
    m = q;
  }
  while (i > start) {
    const q = (m / 10) | 0;
    buf[--i] = 48 + m - q * 10;
    m = q;
  }
}

/**
 * writeFloat32 writes a finite FP32 value as a JSON number into `buf` at `pos` and
 * returns the position after it: at most 9 significant digits (C's `%.9g`,
 * FLT_DECIMAL_DIG, which is enough for every FP32 value to parse back exactly),
 * trailing zeros dropped, plain notation from 1e-6 to below 1e21 and exponent
 * notation outside, like JavaScript's own. It writes ASCII bytes directly, faster
 * than Number#toString and about half as long as the FP32 value printed as a
 * double. `buf` needs FLOAT32_JSON_MAX_BYTES free bytes. Throws a RangeError for
 * NaN and infinities, which JSON cannot carry.
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
  // e: the decimal exponent, 10^e <= a < 10^(e+1); m: 9 significant digits.
  let e: number;
  if (a >= 1 && a < 1e9) {
    e = 0;
    while (a >= POW10[e + 1]) e++;
  } else if (a < 1 && a >= 1e-9) {
    e = -1;
    while (a < NEG_POW10[-e]) e--;
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
  // From here m < 10^9 is a small integer: integer arithmetic only.
  m |= 0;
  let n = 9;
  for (let q = (m / 10) | 0; q * 10 === m; q = (m / 10) | 0) {
    m = q;
    n--;
  }
  if (e >= 0 && e < 21) {
    if (e + 1 >= n) {
      // An integer: the digits, then zeros.
      writeDigits(buf, pos, pos + n, m);
      const end = pos + e + 1;
      for (let i = pos + n; i < end; i++) buf[i] = 48;
      return end;
    }
    // All n digits one place to the right, then the e + 1 whole digits back left of the point.
    writeDigits(buf, pos + 1, pos + n + 1, m);
    for (let i = pos; i <= pos + e; i++) buf[i] = buf[i + 1];
    buf[pos + e + 1] = 46;
    return pos + n + 1;
  }
  if (e < 0 && e >= -6) {
    // 0.000ddd
    buf[pos++] = 48;
    buf[pos++] = 46;
    for (let k = -1; k > e; k--) buf[pos++] = 48;
    writeDigits(buf, pos, pos + n, m);
    return pos + n;
  }
  // d.ddde±x
  const scale = POW10[n - 1];
  const first = Math.floor(m / scale);
  buf[pos++] = 48 + first;
  if (n > 1) {
    buf[pos++] = 46;
    writeDigits(buf, pos, pos + n - 1, m - first * scale);
    pos += n - 1;
  }
  buf[pos++] = 101;
  buf[pos++] = e < 0 ? 45 : 43;
  const x = e < 0 ? -e : e;
  if (x >= 10) buf[pos++] = 48 + Math.floor(x / 10);
  buf[pos++] = 48 + (x % 10);
  return pos;
}

/**
 * Float32Text writes runs of FP32 values as comma-separated JSON numbers
 * (writeFloat32's text), fastest into a scratch byte area of its own, from which
 * a caller copies what it built.
 */
export interface Float32Text {
  /** scratch returns the scratch area, at least `size` bytes; it stays valid until the next call. */
  scratch(size: number): Uint8Array;
  /**
   * writeRun writes data[from..to) comma-separated at `pos` of `buf` (the scratch,
   * or any bytes with room for FLOAT32_JSON_MAX_BYTES + 1 per value) and returns
   * the position after. Throws writeFloat32's RangeError for NaN and infinities
   * (what was written before it is left as it is). Writing elsewhere than the
   * scratch may use the scratch.
   */
  writeRun(buf: Uint8Array, data: Float32Array, from: number, to: number, pos: number): number;
}

/** jsFloat32Text is the Float32Text of writeFloat32 and a growing byte array. */
export function jsFloat32Text(): Float32Text {
  let scratch = new Uint8Array(4096);
  return {
    scratch(size) {
      if (size > scratch.length) scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
      return scratch;
    },
    writeRun(buf, data, from, to, pos) {
      let p = pos;
      for (let j = from; j < to; j++) {
        if (j > from) buf[p++] = 44;
        p = writeFloat32(buf, p, data[j]);
      }
      return p;
    },
  };
}
