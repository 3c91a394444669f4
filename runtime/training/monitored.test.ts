import { describe, expect, it } from 'vitest';
import { columnOf, monitoredFeatures } from './monitored.ts';

describe('monitoredFeatures', () => {
  it('keeps first-step and rolling inputs, drops later steps and calendar inputs', () => {
    const names = ['hourOfDay_sin', 'hourOfDay_cos', 'holiday', 'load_lag24_s1', 'load_lag24_s2', 'load_roll24_mean', 'temperature_s1', 'temperature_s24'];
    expect(monitoredFeatures(names).map((i) => names[i])).toEqual(['load_lag24_s1', 'load_roll24_mean', 'temperature_s1']);
  });

  it('copies a column out of a row-major matrix', () => {
    expect(Array.from(columnOf(Float32Array.from([1, 2, 3, 4, 5, 6]), 3, 1))).toEqual([2, 5]);
  });
});
