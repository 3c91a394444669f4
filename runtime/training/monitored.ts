const CALENDAR = /^(hourOfDay|dayOfWeek|month|dayOfYear)_(sin|cos)(_s\d+)?$|^(holiday|weekend)(_s\d+)?$/;

/**
 * monitoredFeatures picks the model inputs that drift checks compare: the data
 * driven inputs of the first forecast step (`*_s1`) and those that are not per
 * step (rolling statistics). Later steps repeat the same columns shifted, and
 * calendar inputs are functions of the clock (any window shorter than a year
 * "drifts" in month), so both would add cost and false alarms without signal.
 */
export function monitoredFeatures(inputNames: readonly string[]): number[] {
  const out: number[] = [];
  inputNames.forEach((name, i) => {
    if (CALENDAR.test(name)) return;
    const step = /_s(\d+)$/.exec(name);
    if (!step || step[1] === '1') out.push(i);
  });
  return out;
}

/** columnOf copies one input column out of a row-major matrix as Float64Array. */
export function columnOf(X: Float32Array, width: number, column: number): Float64Array {
  const rows = X.length / width;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = X[r * width + column];
  return out;
}
