import { describe, expect, it } from 'vitest';
import { planInputs } from '../features/frame-inputs.ts';
import type { FeatureSpec } from '../features/spec.ts';
import { loadForecaster, stepRows } from './forecaster.ts';
import { fitGbdt, GBDT_DEFAULTS } from './gbdt.ts';

const spec: FeatureSpec = { target: 'load', lags: [{ column: 'load', steps: [1] }], anchor: { period: 4, levelWindow: 2 } };
const plan = planInputs(spec, 3);
// Inputs: load_lag1_s1, load_naive_s1..s3, load_level.
const X = Float32Array.of(10, 1, 2, 3, 0.5, 20, 4, 5, 6, -1);

describe('loadForecaster', () => {
  it('lays out the inputs the way the forecasters read them', () => {
    expect(plan.names).toEqual(['load_lag1_s1', 'load_naive_s1', 'load_naive_s2', 'load_naive_s3', 'load_level']);
    expect(plan.stepNames).toEqual(['load_lag1', 'load_naive', 'load_level']);
    // Step 2 of sample 1: its lag (shared), its naive value, the level, then the step number.
    expect(Array.from(stepRows(X, 2, plan).subarray(4 * 4, 5 * 4))).toEqual([20, 5, -1, 2]);
  });

  it('forecasts seasonal-naive as the anchor, level-corrected as the anchor plus the level', async () => {
    const naive = await loadForecaster({ algorithm: 'seasonalNaive', levelCorrected: false }, plan);
    expect(Array.from(naive.run(X, 2))).toEqual([1, 2, 3, 4, 5, 6]);
    const level = await loadForecaster({ algorithm: 'seasonalNaive', levelCorrected: true }, plan);
    expect(Array.from(level.run(X, 2))).toEqual([1.5, 2.5, 3.5, 3, 4, 5]);
    expect(level.kind).toBe('seasonalNaive(levelCorrected)');
  });

  it('adds tree residuals to the anchor and averages ensemble members', async () => {
    // Trees that learned a constant residual of 7 on per-step rows.
    const rows = stepRows(X, 2, plan);
    const { model } = fitGbdt({ X: rows, y: new Float32Array(6).fill(7), rows: 6 }, 4, { ...GBDT_DEFAULTS, rounds: 3, minLeafSamples: 1, seed: 1 });
    const gbdt = await loadForecaster({ algorithm: 'gbdt', model }, plan);
    const out = Array.from(gbdt.run(X, 2));
    expect(out.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([8, 9, 10, 11, 12, 13]);
    const ensemble = await loadForecaster({ algorithm: 'ensemble', members: [{ algorithm: 'gbdt', model }, { algorithm: 'seasonalNaive', levelCorrected: false }] }, plan);
    expect(Array.from(ensemble.run(X, 2)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([4.5, 5.5, 6.5, 7.5, 8.5, 9.5]);
    expect(ensemble.kind).toBe('ensemble(gbdt+seasonalNaive)');
  });

  it('refuses artifacts that do not fit the pipeline, saying what differs', async () => {
    const { model } = fitGbdt({ X: new Float32Array(30), y: new Float32Array(10), rows: 10 }, 3, { ...GBDT_DEFAULTS, rounds: 1, seed: 1 });
    await expect(loadForecaster({ algorithm: 'gbdt', model }, plan)).rejects.toThrow(/the trees read 3 inputs per step, the pipeline gives 4/);
    await expect(loadForecaster({ algorithm: 'ensemble', members: [] }, plan)).rejects.toThrow(/needs at least one member/);
    await expect(loadForecaster({ algorithm: 'seasonalNaive', levelCorrected: false }, planInputs({ target: 'load' }, 3))).rejects.toThrow(/no seasonal-naive anchor/);
  });
});
