import { describe, expect, it } from 'vitest';
import { forecastInputNames, planInputs, requiredHistory } from './forecast-frame.ts';
import type { FeatureSpec } from './spec.ts';

const H = 5;
const SPEC: FeatureSpec = {
  target: 'load',
  calendar: ['hourOfDay', 'dayOfWeek', 'holiday'],
  holidays: { dates: ['2013-04-08'] },
  lags: [{ column: 'load', steps: [1, 3, 6] }],
  rolling: [{ column: 'load', windows: [4], stats: ['mean', 'std', 'max'] }],
  covariates: [{ column: 'temperature', availability: 'knownInAdvance' }],
};

describe('forecastInputNames', () => {
  it('lists calendar, lags per step without repeated rows, rolling and future covariates', () => {
    const calendar = ['hourOfDay_sin', 'hourOfDay_cos', 'dayOfWeek_sin', 'dayOfWeek_cos', 'holiday'];
    expect(forecastInputNames(SPEC, H)).toEqual([
      // The calendar of every target step, step 1 first.
      ...[1, 2, 3, 4, 5].flatMap((s) => calendar.map((c) => `${c}_s${s}`)),
      'load_lag1_s1', // offset 0; lag1_s2.. and lag3_s3 would read the same row
      'load_lag3_s1', // offset -2
      'load_lag3_s2', // offset -1
      'load_lag6_s1', // offsets -5, -4, -3; lag6_s4, s5 repeat lag3_s1, s2
      'load_lag6_s2',
      'load_lag6_s3',
      'load_roll4_mean',
      'load_roll4_std',
      'load_roll4_max',
      'temperature_s1',
      'temperature_s2',
      'temperature_s3',
      'temperature_s4',
      'temperature_s5',
    ]);
  });

  it('leaves observed covariates out except through their lags and windows', () => {
    const observed: FeatureSpec = {
      target: 'load',
      lags: [{ column: 'temperature', steps: [24] }],
      covariates: [{ column: 'temperature', availability: 'observed' }],
    };
    expect(forecastInputNames(observed, 2)).toEqual(['temperature_lag24_s1', 'temperature_lag24_s2']);
  });

  it('appends the seasonal-naive anchor of every step and the level, and maps each step to its own view', () => {
    const plan = planInputs({ ...SPEC, anchor: { period: 4, levelWindow: 2 } }, H);
    expect(plan.names.slice(-6)).toEqual(['load_naive_s1', 'load_naive_s2', 'load_naive_s3', 'load_naive_s4', 'load_naive_s5', 'load_level']);
    expect(plan.stepNames).toEqual([
      ...['hourOfDay_sin', 'hourOfDay_cos', 'dayOfWeek_sin', 'dayOfWeek_cos', 'holiday'],
      'load_lag1',
      'load_lag3',
      'load_lag6',
      'load_roll4_mean',
      'load_roll4_std',
      'load_roll4_max',
      'temperature',
      'load_naive',
      'load_level',
    ]);
    const view = (s: number) => Array.from(plan.stepView.subarray((s - 1) * plan.stepNames.length, s * plan.stepNames.length), (c) => plan.names[c]);
    // Step 4: lag 3 reads offset 4 - 6 = -2 (load_lag3_s1), lag 6 offset -2 as well (shared column).
    expect(view(4)).toEqual([
      'hourOfDay_sin_s4',
      'hourOfDay_cos_s4',
      'dayOfWeek_sin_s4',
      'dayOfWeek_cos_s4',
      'holiday_s4',
      'load_lag1_s1',
      'load_lag3_s1',
      'load_lag3_s1',
      'load_roll4_mean',
      'load_roll4_std',
      'load_roll4_max',
      'temperature_s4',
      'load_naive_s4',
      'load_level',
    ]);
  });

  it.each([0, -1, 1.5])('rejects horizon %d', (horizon) => {
    expect(() => forecastInputNames(SPEC, horizon)).toThrow(/horizon/);
  });
});

describe('requiredHistory', () => {
  it.each([
    [{ target: 'load' }, 24, 1],
    [{ target: 'load', lags: [{ column: 'load', steps: [24, 168] }] }, 24, 168],
    [{ target: 'load', lags: [{ column: 'load', steps: [2] }] }, 48, 2],
    [{ target: 'load', lags: [{ column: 'load', steps: [24] }], rolling: [{ column: 'load', windows: [336], stats: ['mean'] }] }, 1, 336],
    [{ target: 'load', lags: [{ column: 'load', steps: [24] }], anchor: { period: 168, levelWindow: 24 } }, 24, 192],
  ] as [FeatureSpec, number, number][])('%j with horizon %i needs %i rows', (spec, horizon, rows) => {
    expect(requiredHistory(spec, horizon)).toBe(rows);
  });
});
