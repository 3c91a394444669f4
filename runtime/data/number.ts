/**
 * Strict decimal number parsing for text cells. The fast path handles the common
 * `-123.456` form (up to 15 significant digits, no exponent) exactly: an integer
 * mantissa below 2^53 divided by an exact power of ten is one correctly rounded
 * operation, so it gives the same double as Number() and JSON.parse. Anything
 * else goes through a strict pattern check and Number().
 */

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * parseDecimal parses a decimal number (optional sign, digits, optional fraction and
 * exponent, surrounding blanks allowed); NaN when the text is anything else (hex,
 * `Infinity`, `1_000`, empty). Results out of the double range are ±Infinity.
 */
export function parseDecimal(text: string): number {
  const n = text.length;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i = 1;
  }
  let mantissa = 0;
  let digitCount = 0;
  let fractionDigits = 0;
  let dot = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digitCount++;
      if (dot) fractionDigits++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (i === n && digitCount > 0 && digitCount <= 15) {
    const v = fractionDigits === 0 ? mantissa : mantissa / POW10[fractionDigits];
    return negative ? -v : v;
  }
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : Number.NaN;
}
