/**
 * Scaler is a z-score transform per input column, fitted on training rows. It is
 * plain JSON (number arrays) so it travels with the model artifact and serving
 * applies exactly what training fitted.
 */
export interface Scaler {
  mean: number[];
  std: number[];
}

/** TargetScaler is the z-score transform of the target: one mean and std for all horizon steps. */
export interface TargetScaler {
  mean: number;
  std: number;
}

function columnStats(X: Float32Array, columns: number): Scaler {
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`scaler: columns must be a positive integer, got ${columns}`);
  if (X.length === 0 || X.length % columns !== 0) {
    throw new Error(`scaler: ${X.length} values are not a non-empty whole number of rows of ${columns}`);
  }
  const rows = X.length / columns;
  // Sums of differences from the first row keep the variance accurate when the
  // mean is large against the spread (no catastrophic cancellation).
  const shift = new Float64Array(X.subarray(0, columns));
  const sum = new Float64Array(columns);
  const squares = new Float64Array(columns);
  for (let r = 0, at = 0; r < rows; r++) {
    for (let j = 0; j < columns; j++, at++) {
      const d = X[at] - shift[j];
      sum[j] += d;
      squares[j] += d * d;
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < columns; j++) {
    const m = sum[j] / rows;
    const variance = squares[j] / rows - m * m;
    const s = variance > 0 ? Math.sqrt(variance) : 0;
    if (!Number.isFinite(m) || !Number.isFinite(variance)) {
      throw new Error(`scaler: column ${j} holds non-finite values; frames never should`);
    }
    mean.push(shift[j] + m);
    std.push(s > 0 && Number.isFinite(s) ? s : 1);
  }
  return { mean, std };
}

/**
 * fitScaler fits a z-score per input column (population std; a constant column
 * gets std 1) from the row-major samples X with `inputs` columns. Pass only the
 * training rows (e.g. `X.subarray(0, trainSamples * inputs)`), never validation
 * or test rows, so no statistics leak from the future.
 */
export function fitScaler(X: Float32Array, inputs: number): Scaler {
  return columnStats(X, inputs);
}

/** applyScaler returns (X - mean) / std per column, into `out` when given (it may be X itself). */
export function applyScaler(X: Float32Array, scaler: Scaler, out: Float32Array = new Float32Array(X.length)): Float32Array {
  const columns = scaler.mean.length;
  if (X.length % columns !== 0 || out.length !== X.length) {
    throw new Error(`scaler: ${X.length} values do not fit rows of ${columns} inputs`);
  }
  const mean = Float64Array.from(scaler.mean);
  const inverse = Float64Array.from(scaler.std, (s) => 1 / s);
  for (let at = 0; at < X.length; ) {
    for (let j = 0; j < columns; j++, at++) out[at] = (X[at] - mean[j]) * inverse[j];
  }
  return out;
}

/** fitTargetScaler fits one mean and (population) std over all training targets Y; std 0 becomes 1. */
export function fitTargetScaler(Y: Float32Array): TargetScaler {
  const { mean, std } = columnStats(Y, 1);
  return { mean: mean[0], std: std[0] };
}

/** applyTargetScaler returns (Y - mean) / std, into `out` when given (it may be Y itself). */
export function applyTargetScaler(
  Y: Float32Array,
  scaler: TargetScaler,
  out: Float32Array = new Float32Array(Y.length),
): Float32Array {
  const inverse = 1 / scaler.std;
  for (let i = 0; i < Y.length; i++) out[i] = (Y[i] - scaler.mean) * inverse;
  return out;
}

/** invertTargetScaler maps model outputs back to target units: y * std + mean (for predictions and intervals). */
export function invertTargetScaler(
  scaled: Float32Array,
  scaler: TargetScaler,
  out: Float32Array = new Float32Array(scaled.length),
): Float32Array {
  for (let i = 0; i < scaled.length; i++) out[i] = scaled[i] * scaler.std + scaler.mean;
  return out;
}
