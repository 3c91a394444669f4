import { describe, expect, it } from 'vitest';
import { seasonalNaive, seasonalNaiveMae } from './seasonal-naive.ts';

// series[i] = i makes every prediction show which index it came from.
const series = Float64Array.from({ length: 200 }, (_, i) => i);

describe('seasonalNaive', () => {
  it('repeats the value one period before each target, within the known history', () => {
    const out = seasonalNaive({ series, origins: [30], horizon: 5, period: 4 });
    // Targets 31..35; steps 1-4 use 27..30, step 5 reuses the last season: 31 - 4*2 = 27.
    expect(Array.from(out)).toEqual([27, 28, 29, 30, 27]);
  });

  it('never looks past the origin, for horizons longer than the period', () => {
    const origins = Int32Array.from([50, 60, 77]);
    const horizon = 50;
    const period = 24;
    const out = seasonalNaive({ series, origins, horizon, period });
    for (let i = 0; i < origins.length; i++) {
      for (let s = 1; s <= horizon; s++) {
        const source = out[i * horizon + s - 1];
        expect(source).toBeLessThanOrEqual(origins[i]);
        expect((origins[i] + s - source) % period).toBe(0);
        expect(origins[i] - source).toBeLessThan(period);
      }
    }
  });

  it('takes the series as a lookup function too', () => {
    const fromArray = seasonalNaive({ series, origins: [100, 101], horizon: 30, period: 24 });
    const fromLookup = seasonalNaive({ series: (i) => series[i], origins: [100, 101], horizon: 30, period: 24 });
    expect(fromLookup).toEqual(fromArray);
  });

  it('rejects samples with less than one period of history', () => {
    expect(() => seasonalNaive({ series, origins: [22], horizon: 1, period: 24 })).toThrow(/sample 0 \(origin 22\)/);
    expect(seasonalNaive({ series, origins: [23], horizon: 1, period: 24 })[0]).toBe(0);
  });
});

describe('seasonalNaiveMae', () => {
  it('is zero on a perfectly periodic series and the trend step otherwise', () => {
    const periodic = Float64Array.from({ length: 300 }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
    const origins = Int32Array.from({ length: 100 }, (_, i) => 100 + i);
    const horizon = 36;
    const targets = (s: Float64Array) => {
      const out = new Float64Array(origins.length * horizon);
      origins.forEach((t, i) => {
        for (let k = 1; k <= horizon; k++) out[i * horizon + k - 1] = s[t + k];
      });
      return out;
    };
    expect(seasonalNaiveMae({ series: periodic, origins, horizon, period: 24, actual: targets(periodic) })).toBeCloseTo(0, 12);
    // On a linear trend each step is off by exactly period * ceil(s / period).
    const mae = seasonalNaiveMae({ series, origins: [100], horizon: 36, period: 24, actual: targets(series).subarray(0, 36) });
    expect(mae).toBeCloseTo((24 * 24 + 12 * 48) / 36);
  });
});
