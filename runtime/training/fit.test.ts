import { describe, expect, it } from 'vitest';
import type { Table } from '../data/table.ts';
import { HOUR, testTable } from '../../test/support/feature-table.ts';
import type { FeatureSpec } from '../features/spec.ts';
import { seededGaussian, seededRandom } from '../models/random.ts';
import { backtestFolds, fitForecaster, type ForecastJob } from './fit.ts';

/** Hourly load with a daily and weekly shape, a slow random level and a temperature effect. */
function series(rows: number, seed = 1): Table {
  const gauss = seededGaussian(seededRandom(seed));
  const load = new Float64Array(rows);
  const temperature = new Float64Array(rows);
  let level = 0;
  for (let t = 0; t < rows; t++) {
    const hour = t % 24;
    const day = Math.floor(t / 24) % 7;
    level = 0.98 * level + 3 * gauss();
    temperature[t] = 15 + 8 * Math.sin((2 * Math.PI * (hour - 9)) / 24) + 4 * Math.sin(t / 200) + gauss();
    load[t] = 100 + 30 * Math.sin((2 * Math.PI * hour) / 24) + (day >= 5 ? -20 : 0) + level + 2 * Math.max(0, temperature[t] - 20) + 2 * gauss();
  }
  return testTable({ time: Float64Array.from({ length: rows }, (_, t) => Date.UTC(2024, 0, 1) + t * HOUR), numeric: { load, temperature } });
}

const features: FeatureSpec = {
  target: 'load',
  calendar: ['hourOfDay', 'dayOfWeek'],
  lags: [
    { column: 'load', steps: [1, 24, 168] },
    { column: 'temperature', steps: [1] },
  ],
  rolling: [{ column: 'load', windows: [24], stats: ['mean'] }],
  covariates: [{ column: 'temperature', availability: 'observed' }],
};

const job = (table: Table, extra: Partial<ForecastJob> = {}): ForecastJob => ({
  table,
  features,
  horizon: 12,
  models: [{ algorithm: 'gbdt', rounds: 60, numLeaves: 15 }, { algorithm: 'seasonalNaive' }],
  ensemble: 'auto',
  validation: 0.15,
  backtest: { folds: 3, fraction: 0.2 },
  coverage: 0.9,
  seed: 7,
  ...extra,
});

describe('backtestFolds', () => {
  it('cuts the latest fraction into contiguous folds and leaves a horizon-wide gap before the first', () => {
    const folds = backtestFolds(1000, 24, 5, 0.15);
    expect(folds[0].from).toBe(850);
    expect(folds.at(-1)?.to).toBe(1000);
    for (let k = 1; k < folds.length; k++) expect(folds[k].from).toBe(folds[k - 1].to);
    expect(folds.map((f) => f.to - f.from)).toEqual([30, 30, 30, 30, 30]);
  });

  it('refuses data too short to backtest, saying why', () => {
    expect(() => backtestFolds(10, 24, 5, 0.15)).toThrow(/too little data to backtest: 10 samples leave 2 for 5 folds/);
    expect(() => backtestFolds(100, 90, 2, 0.2)).toThrow(/the first fold leaves -10 samples to train on/);
  });
});

describe('fitForecaster', () => {
  it('beats seasonal-naive out of sample, scores the baseline at MASE 1, and calibrates intervals near their coverage', async () => {
    const result = await fitForecaster(job(series(3000)));
    const [gbdt, naive] = result.candidates;
    expect(naive).toMatchObject({ name: 'seasonalNaive' });
    expect(naive.mase).toBeCloseTo(1, 9);
    expect(gbdt.mase).toBeLessThan(0.8);
    expect(result.selected).not.toBe('seasonalNaive');
    expect(result.metrics.mase).toBeLessThan(0.8);
    expect(result.folds).toHaveLength(3);
    expect(result.metrics.intervalCoverage).toBeGreaterThan(0.8);
    expect(result.metrics.intervalCoverage).toBeLessThan(0.97);
    expect(result.conformal.lower.every((v, s) => v < result.conformal.upper[s])).toBe(true);
    expect(result.artifact?.algorithm).toMatch(/gbdt|ensemble/);
    // Observed temperature is an input only through its lag.
    expect(result.pipeline.inputNames.filter((n) => n.startsWith('temperature'))).toEqual(['temperature_lag1_s1']);
  });

  it('scores each fold only on data after what its model saw: later targets do not change earlier folds', async () => {
    const table = series(2000, 3);
    const changed = series(2000, 3);
    const models = [{ algorithm: 'gbdt' as const, rounds: 30 }];
    const a = await fitForecaster(job(table, { models, backtestOnly: true, backtest: { folds: 3, fraction: 0.45 } }));
    // Multiply every target after the last one fold 1 is scored on; fold 1 must score the same.
    const lastOrigin = (Date.parse(a.folds[0].to) - table.time[0]) / HOUR;
    const load = changed.numeric.get('load') as Float64Array;
    for (let t = lastOrigin + 12 + 1; t < 2000; t++) load[t] *= 3;
    const b = await fitForecaster(job(changed, { models, backtestOnly: true, backtest: { folds: 3, fraction: 0.45 } }));
    expect(b.folds[0].mae).toBe(a.folds[0].mae);
    expect(b.folds[2].mae).not.toBe(a.folds[2].mae);
  });

  it('registers the ensemble only when asked or when it scores better', async () => {
    const table = series(2000, 5);
    const never = await fitForecaster(job(table, { ensemble: 'never', backtestOnly: true }));
    expect(never.candidates.map((c) => c.name)).toEqual(['gbdt', 'seasonalNaive']);
    const always = await fitForecaster(job(table, { ensemble: 'always' }));
    expect(always.selected).toBe('ensemble(gbdt+seasonalNaive)');
    expect(always.artifact).toMatchObject({ algorithm: 'ensemble', members: [{ algorithm: 'gbdt' }, { algorithm: 'seasonalNaive' }] });
    const auto = await fitForecaster(job(table, { backtestOnly: true }));
    const best = Math.min(...auto.candidates.map((c) => c.mae));
    expect(auto.candidates.find((c) => c.name === auto.selected)?.mae).toBe(best);
  });
});
