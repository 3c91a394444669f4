/**
 * A drift reference that knows how much a window of the training period itself
 * varies. Load, its lags and temperature are seasonal: any day or week of the
 * training period differs from the whole period's distribution, so a fixed
 * threshold on a distance (or a p-value at hundreds of samples) flags every
 * feature of a window the model was trained on. The reference keeps the most
 * recent training rows of each monitored feature in time order, and a check
 * calibrates each feature's threshold on windows of the same size drawn from
 * them (the null distribution of the score), as NannyML does with reference
 * chunks: drift is a score beyond what the training period itself produced.
 */

/** REFERENCE_ROWS is how many of the latest training rows the reference keeps per feature (a year of hours). */
export const REFERENCE_ROWS = 8760;

/** CALIBRATION_MARGIN widens the largest null distance (or shrinks the smallest null p-value) a window may reach. */
export const CALIBRATION_MARGIN = 1.25;

/** EncodedSeries is a feature's reference rows as JSON: 16-bit levels between min and max, base64. */
export interface EncodedSeries {
  min: number;
  max: number;
  rows: number;
  levels: string;
}

/** encodeSeries keeps the last REFERENCE_ROWS finite values, quantized to 65,536 levels of their range. */
export function encodeSeries(values: Float64Array | Float32Array, limit = REFERENCE_ROWS): EncodedSeries {
  const finite: number[] = [];
  for (let i = Math.max(0, values.length - limit * 2); i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  const kept = finite.slice(-limit);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of kept) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (kept.length === 0) return { min: 0, max: 0, rows: 0, levels: '' };
  const span = max - min;
  const levels = new Uint16Array(kept.length);
  for (let i = 0; i < kept.length; i++) levels[i] = span > 0 ? Math.round(((kept[i] - min) / span) * 65535) : 0;
  return { min, max, rows: kept.length, levels: Buffer.from(levels.buffer).toString('base64') };
}

/** decodeSeries restores an EncodedSeries (each value within (max - min) / 131,070 of the original). */
export function decodeSeries(series: EncodedSeries): Float64Array {
  const bytes = Buffer.from(series.levels, 'base64');
  if (bytes.byteLength !== series.rows * 2) throw new RangeError(`drift reference: ${bytes.byteLength} bytes for ${series.rows} rows`);
  const levels = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const span = series.max - series.min;
  return Float64Array.from(levels, (l) => series.min + (l / 65535) * span);
}

/**
 * nullScores scores windows of `size` consecutive reference rows against the
 * whole reference, at up to `windows` evenly spaced starts covering it.
 */
export function nullScores(reference: Float64Array, size: number, score: (window: Float64Array) => number, windows = 96): number[] {
  const length = Math.min(size, Math.floor(reference.length / 2));
  if (length < 2) return [];
  const last = reference.length - length;
  const count = Math.min(windows, last + 1);
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const start = count === 1 ? 0 : Math.round((k * last) / (count - 1));
    out.push(score(reference.subarray(start, start + length)));
  }
  return out;
}

/**
 * calibratedThreshold is the threshold a feature's score must pass to count as
 * drift: at least the configured one, and beyond every null score by
 * CALIBRATION_MARGIN (distances: above the largest; p-values: below the smallest).
 */
export function calibratedThreshold(configured: number, nulls: readonly number[], higherIsDrift: boolean): number {
  if (nulls.length === 0) return configured;
  if (higherIsDrift) return Math.max(configured, Math.max(...nulls) * CALIBRATION_MARGIN);
  return Math.min(configured, Math.min(...nulls) / CALIBRATION_MARGIN);
}
