import { describe, expect, it } from 'vitest';
import { profileCategories, profileColumn } from '../data/profile.ts';
import { type DetectDriftOptions, type DriftMethod, detectDrift } from './detect.ts';
import { mulberry32, normalSample } from '../../test/support/drift-random.ts';

const SEEDS = 200;

/**
 * driftRate is the share of seeds whose single-feature dataset is flagged as drifted;
 * each seed draws a fresh reference of 5000 values (then profiled) and then `n` current values.
 * With 200 seeds a rate has a binomial standard error of about 0.015 at 5%.
 */
function driftRate(n: number, shiftInStd: number, methods?: DriftMethod): number {
  let drifted = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const random = mulberry32(seed);
    const reference = profileColumn(normalSample(random, 5000, 100, 15));
    const current = normalSample(random, n, 100 + shiftInStd * 15, 15);
    const result = detectDrift({
      reference: { columns: { load: reference } },
      current: { load: current },
      methods: methods ? [{ method: methods }] : undefined,
    });
    if (result.status === 'Drift') drifted++;
  }
  return drifted / SEEDS;
}

describe('detectDrift error rates over 200 seeds (reference: profile of 5000 normal values)', () => {
  it('keeps the KS false-alarm rate near its 5% level at n = 500 and n = 1000', () => {
    expect(driftRate(500, 0)).toBeLessThanOrEqual(0.08);
    expect(driftRate(1000, 0)).toBeLessThanOrEqual(0.08);
  });

  it('detects a 0.5 std mean shift with KS at n = 500 and n = 1000', () => {
    expect(driftRate(500, 0.5)).toBeGreaterThanOrEqual(0.95);
    expect(driftRate(1000, 0.5)).toBeGreaterThanOrEqual(0.95);
  });

  it('switches to normalised Wasserstein above 1000 values, quiet on no shift and firing on 0.5 std', () => {
    expect(driftRate(2000, 0)).toBeLessThanOrEqual(0.02);
    expect(driftRate(2000, 0.5)).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps PSI (0.2) quiet on no shift and firing on 0.5 std at n = 1000', () => {
    expect(driftRate(1000, 0, 'psi')).toBeLessThanOrEqual(0.02);
    expect(driftRate(1000, 0.5, 'psi')).toBeGreaterThanOrEqual(0.95);
  });
});

describe('detectDrift decisions', () => {
  const random = mulberry32(9);
  const load = normalSample(random, 5000, 100, 15);
  const reference = {
    columns: {
      load: profileColumn(load),
      temp: profileColumn(normalSample(random, 5000, 20, 5)),
      site: profileCategories(Array.from({ length: 5000 }, (_, i) => (i % 4 === 0 ? 'north' : 'south'))),
    },
  };
  const current = {
    load: normalSample(random, 400, 115, 15),
    temp: normalSample(random, 400, 20, 5),
    site: Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 'north' : 'south')),
  };

  it('uses the default method per feature and drifts when the drifted share reaches driftShare', () => {
    const result = detectDrift({ reference, current });
    expect(result.features.map((f) => [f.name, f.method, f.drifted])).toEqual([
      ['load', 'ks', true],
      ['temp', 'ks', false],
      ['site', 'jensenshannon', false],
    ]);
    expect(result.features[0]).toMatchObject({ threshold: 0.05, samples: 400 });
    expect(result.features[0].score).toBeLessThan(1e-6);
    expect(result.features[2].score).toBe(0);
    expect(result.driftedShare).toBeCloseTo(1 / 3, 5);
    expect(result.status).toBe('NoDrift');
    expect(detectDrift({ reference, current, driftShare: 0.3 }).status).toBe('Drift');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('applies per-feature overrides over global ones and default thresholds', () => {
    const options: DetectDriftOptions = {
      reference,
      current,
      methods: [{ method: 'psi' }, { feature: 'temp', method: 'wasserstein', threshold: 0.5 }],
      thresholds: { psi: 0.25 },
    };
    const result = detectDrift(options);
    expect(result.features.map((f) => [f.name, f.method, f.threshold])).toEqual([
      ['load', 'psi', 0.25],
      ['temp', 'wasserstein', 0.5],
      ['site', 'psi', 0.25],
    ]);
    expect(detectDrift({ reference, current, methods: [{ method: 'wasserstein' }] }).features[2].method).toBe('jensenshannon');
  });

  it('reports InsufficientData, not drift, for too few current values', () => {
    const few = { load: load.subarray(0, 20).map((v) => v + 100), temp: new Float64Array(0), site: [] };
    expect(detectDrift({ reference, current: few })).toEqual({
      status: 'InsufficientData',
      driftedShare: 0,
      samples: 20,
      minSamples: 30,
      features: [],
    });
    expect(detectDrift({ reference, current: few, minSamples: 10 }).status).toBe('Drift');
  });

  it('leaves a feature with too few non-null values out of the share', () => {
    const sparse = { ...current, temp: Float64Array.of(1, Number.NaN, Number.NaN) };
    const result = detectDrift({ reference, current: sparse });
    expect(result.features[1]).toMatchObject({ name: 'temp', score: null, drifted: false, samples: 1 });
    expect(result.driftedShare).toBe(0.5);
    expect(result.status).toBe('Drift');
  });

  it('tests only the requested features and rejects mismatched or missing ones', () => {
    expect(detectDrift({ reference, current, features: ['temp'] }).features.map((f) => f.name)).toEqual(['temp']);
    expect(() => detectDrift({ reference, current, features: ['nope'] })).toThrow(/missing from the reference/);
    expect(() => detectDrift({ reference, current: { ...current, load: ['a'] } })).toThrow(TypeError);
    expect(() => detectDrift({ reference, current, methods: [{ feature: 'site', method: 'ks' }] })).toThrow(TypeError);
  });

  it('accepts raw reference values', () => {
    const result = detectDrift({
      reference: { columns: { load, site: ['north', 'south'] } },
      current: { load: current.load, site: Array.from({ length: 50 }, (_, i) => (i % 2 ? 'east' : 'west')) },
    });
    expect(result.features.map((f) => f.drifted)).toEqual([true, true]);
    expect(result.features[1].score).toBe(1);
  });
});
