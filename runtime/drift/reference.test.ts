import { describe, expect, it } from 'vitest';
import { loadTable } from '../data/load.ts';
import { profileColumn } from '../data/profile.ts';
import { buildForecastFrame } from '../features/forecast-frame.ts';
import type { FeatureSpec } from '../features/spec.ts';
import { columnOf, monitoredFeatures } from '../training/monitored.ts';
import { detectDrift } from './detect.ts';
import { calibratedThreshold, decodeSeries, encodeSeries, nullScores, REFERENCE_ROWS } from './reference.ts';

describe('encodeSeries', () => {
  it('keeps the latest finite rows in order, within a 16-bit level of each value, through JSON', () => {
    const values = Float64Array.from({ length: REFERENCE_ROWS + 100 }, (_, i) => (i === 5000 ? Number.NaN : 1000 + Math.sin(i / 10) * 300));
    const encoded = JSON.parse(JSON.stringify(encodeSeries(values)));
    const decoded = decodeSeries(encoded);
    expect(decoded.length).toBe(REFERENCE_ROWS);
    const kept = Array.from(values).filter(Number.isFinite).slice(-REFERENCE_ROWS);
    for (let i = 0; i < kept.length; i++) expect(Math.abs(decoded[i] - kept[i])).toBeLessThanOrEqual(600 / 65535);
    expect(() => decodeSeries({ ...encoded, rows: encoded.rows + 1 })).toThrow(/bytes for/);
  });
});

describe('calibratedThreshold', () => {
  it('passes the null scores by the margin, never below the configured threshold', () => {
    expect(calibratedThreshold(0.1, [0.2, 0.4], true)).toBeCloseTo(0.5, 12);
    expect(calibratedThreshold(0.1, [0.01, 0.02], true)).toBe(0.1);
    expect(calibratedThreshold(0.05, [0.01, 0.2], false)).toBeCloseTo(0.008, 12);
    expect(calibratedThreshold(0.1, [], true)).toBe(0.1);
    expect(nullScores(Float64Array.of(1, 2, 3, 4), 2, (w) => w[0])).toEqual([1, 2, 3]);
  });
});

describe('drift on the seasonal example data', async () => {
  const exampleData = new URL('../../examples/energy-forecast/data/grid-load.csv', import.meta.url).pathname;
  const { table } = await loadTable(
    { format: 'csv', file: exampleData },
    { timestampColumn: 'timestamp', columns: [{ name: 'load', type: 'number' }, { name: 'temperature', type: 'number', nullable: true }] },
  );
  const spec: FeatureSpec = {
    target: 'load',
    calendar: ['hourOfDay', 'dayOfWeek'],
    lags: [
      { column: 'load', steps: [1, 24, 168] },
      { column: 'temperature', steps: [1] },
    ],
    rolling: [{ column: 'load', windows: [24], stats: ['mean'] }],
    covariates: [{ column: 'temperature', availability: 'observed' }],
    anchor: { period: 168, levelWindow: 24 },
  };
  const frame = buildForecastFrame(table, spec, 24);
  const width = frame.inputNames.length;
  const n = frame.origins.length;
  const monitored = monitoredFeatures(frame.inputNames).map((c) => ({ c, name: frame.inputNames[c] }));
  const columns: Record<string, ReturnType<typeof profileColumn>> = {};
  const calibration: Record<string, Float64Array> = {};
  for (const { c, name } of monitored) {
    const column = columnOf(frame.X, width, c);
    columns[name] = profileColumn(column);
    calibration[name] = decodeSeries(encodeSeries(column));
  }
  const windowAt = (from: number, rows: number, loadScale = 1) => {
    const current: Record<string, Float64Array> = {};
    for (const { c, name } of monitored) {
      const values = columnOf(frame.X.subarray(from * width, (from + rows) * width), width, c);
      if (name.startsWith('load_') && name !== 'load_level') for (let i = 0; i < values.length; i++) values[i] *= loadScale;
      current[name] = values;
    }
    return current;
  };
  const features = monitored.map((m) => m.name);

  it.each([
    ['the last 250 hours', n - 250, 250],
    ['a day', n - 3000, 24],
    ['a day in summer', n - 4500, 24],
    ['twelve weeks', n - 6000, 2016],
  ])('flags no feature in %s of the training period', (_what, from, rows) => {
    const calibrated = detectDrift({ reference: { columns }, current: windowAt(from, rows), features, calibration, minSamples: 20 });
    expect(calibrated.features.filter((f) => f.drifted).map((f) => f.name)).toEqual([]);
    expect(calibrated.status).toBe('NoDrift');
  });

  it('still flags load 30% above what the model was trained on, and flagged everything before calibration', () => {
    const shifted = detectDrift({ reference: { columns }, current: windowAt(n - 250, 250, 1.3), features, calibration, minSamples: 20 });
    expect(shifted.status).toBe('Drift');
    expect(shifted.features.filter((f) => f.drifted).map((f) => f.name)).toEqual(expect.arrayContaining(['load_lag1_s1', 'load_lag24_s1', 'load_roll24_mean']));
    expect(shifted.features.find((f) => f.name === 'temperature_lag1_s1')?.drifted).toBe(false);
    // Without calibration a window of the training period itself "drifts" everywhere.
    const uncalibrated = detectDrift({ reference: { columns }, current: windowAt(n - 250, 250), features, minSamples: 20 });
    expect(uncalibrated.driftedShare).toBe(1);
  });
});
