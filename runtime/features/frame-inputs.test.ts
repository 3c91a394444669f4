import { describe, expect, it } from 'vitest';
import { forecastInputNames, requiredHistory } from './forecast-frame.ts';
import type { FeatureSpec } from './spec.ts';

const H = 5;
const SPEC: FeatureSpec = {
  target: 'load',
  calendar: ['hourOfDay', 'dayOfWeek', 'holiday'],
  holidays: { dates: ['2013-04-08'] },
  lags: [{ column: 'load', steps: [1, 3, 6] }],
  rolling: [{ column: 'load', windows: [4], stats: ['mean', 'std', 'max'] }],
  covariates: ['temperature'],
};

describe('forecastInputNames', () => {
  it('lists calendar, lags per step without repeated rows, rolling and future covariates', () => {
    expect(forecastInputNames(SPEC, H)).toEqual([
      'hourOfDay_sin',
      'hourOfDay_cos',
      'dayOfWeek_sin',
      'dayOfWeek_cos',
      'holiday',
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
  ] as [FeatureSpec, number, number][])('%j with horizon %i needs %i rows', (spec, horizon, rows) => {
    expect(requiredHistory(spec, horizon)).toBe(rows);
  });
});
