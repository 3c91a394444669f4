import { describe, expect, it } from 'vitest';
import { mulberry32, normalSample } from '../../test/support/drift-random.ts';
import {
  binCounts,
  binIndex,
  OTHER_CATEGORY,
  PROFILE_QUANTILES,
  profileCategorical,
  profileCategories,
  profileColumn,
  profileTable,
} from './profile.ts';
import type { Table } from './table.ts';

describe('profileColumn', () => {
  it('counts nulls and computes Welford moments that match a two-pass computation', () => {
    const values = normalSample(mulberry32(7), 10_001, 1e6, 3);
    values[5] = Number.NaN;
    values[6] = Number.POSITIVE_INFINITY;
    const finite = values.filter(Number.isFinite);
    const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
    const std = Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length);
    const p = profileColumn(values);
    expect(p.kind).toBe('numeric');
    expect(p.count).toBe(9_999);
    expect(p.nulls).toBe(2);
    expect(p.mean).toBeCloseTo(mean, 6);
    expect(p.std).toBeCloseTo(std, 9);
    expect(p.min).toBe(Math.min(...finite));
    expect(p.max).toBe(Math.max(...finite));
  });

  it('records linearly interpolated quantiles at the fixed probabilities', () => {
    const p = profileColumn(Float64Array.from({ length: 101 }, (_, i) => 100 - i));
    expect(p.quantiles.map((q) => q.p)).toEqual(PROFILE_QUANTILES);
    for (const q of p.quantiles) expect(q.v).toBeCloseTo(q.p * 100, 9);
    const four = profileColumn(Float64Array.of(4, 1, 3, 2));
    expect(four.quantiles.find((q) => q.p === 0.5)?.v).toBe(2.5);
    expect(four.quantiles.find((q) => q.p === 0.25)?.v).toBe(1.75);
  });

  it('bins continuous data into 20 quantile bins of about 5% each', () => {
    const p = profileColumn(Float64Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000));
    expect(p.histogram.edges).toHaveLength(21);
    expect(p.histogram.counts).toHaveLength(20);
    expect(p.histogram.edges[0]).toBe(p.min);
    expect(p.histogram.edges[20]).toBe(p.max);
    for (const c of p.histogram.counts) expect(Math.abs(c - 500)).toBeLessThanOrEqual(1);
    expect(p.histogram.counts.reduce((s, c) => s + c, 0)).toBe(10_000);
  });

  it('merges tied quantile edges so heavy ties give fewer, strictly increasing bins', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0 : i));
    const p = profileColumn(values);
    const { edges, counts } = p.histogram;
    expect(edges.length).toBeLessThan(21);
    for (let i = 1; i < edges.length; i++) expect(edges[i]).toBeGreaterThan(edges[i - 1]);
    expect(counts).toHaveLength(edges.length - 1);
    expect(counts[0]).toBeGreaterThanOrEqual(900);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(1000);
  });

  it('keeps a constant column as one bin and one sample value', () => {
    const p = profileColumn(new Float64Array(50).fill(3.25));
    expect(p).toMatchObject({ count: 50, min: 3.25, max: 3.25, mean: 3.25, std: 0, sample: [3.25] });
    expect(p.histogram).toEqual({ edges: [3.25, 3.25], counts: [50] });
  });

  it('returns empty summaries for an all-null column', () => {
    const p = profileColumn(Float64Array.of(Number.NaN, Number.NaN));
    expect(p).toEqual({
      kind: 'numeric',
      count: 0,
      nulls: 2,
      min: 0,
      max: 0,
      mean: 0,
      std: 0,
      quantiles: [],
      histogram: { edges: [], counts: [] },
      sample: [],
    });
  });

  it('keeps a deterministic, sorted quantile sample whose CDF tracks the column', () => {
    const values = normalSample(mulberry32(3), 20_000, 50, 10);
    const a = profileColumn(values);
    expect(a.sample).toHaveLength(500);
    expect(profileColumn(values).sample).toEqual(a.sample);
    for (let i = 1; i < a.sample.length; i++) expect(a.sample[i]).toBeGreaterThanOrEqual(a.sample[i - 1]);
    // The sample's k-th value sits at rank (k + 0.5)/500 of the column.
    const sorted = values.slice().sort();
    for (const k of [0, 100, 250, 499]) {
      expect(a.sample[k]).toBeCloseTo(sorted[Math.floor(((k + 0.5) * 20_000) / 500)], 2);
    }
    expect(profileColumn(values, { sampleSize: 5000 }).sample).toHaveLength(1000);
    expect(profileColumn(values.subarray(0, 300)).sample).toHaveLength(300);
  });
});

describe('binIndex', () => {
  it('uses half-open bins with a closed last bin and open-ended outer bins', () => {
    const edges = [0, 1, 2, 3];
    expect([-5, 0, 0.5, 1, 2.9, 3, 99].map((v) => binIndex(edges, v))).toEqual([0, 0, 0, 1, 2, 2, 2]);
    expect(Array.from(binCounts(edges, Float64Array.of(-1, 0, 1, 1.5, 3, Number.NaN)))).toEqual([2, 2, 1]);
  });
});

describe('categorical profiles', () => {
  it('keeps the top 50 categories by count (ties by name) and sums the rest under __other__', () => {
    const dictionary = Array.from({ length: 60 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const codes: number[] = [-1, -1];
    for (let c = 0; c < 60; c++) for (let k = 0; k < (c < 10 ? 100 - c : 5); k++) codes.push(c);
    const p = profileCategorical(Int32Array.from(codes), dictionary);
    expect(p.kind).toBe('categorical');
    expect(p.nulls).toBe(2);
    expect(p.count).toBe(codes.length - 2);
    const keys = Object.keys(p.frequencies);
    expect(keys).toHaveLength(51);
    expect(p.frequencies.c00).toBe(100);
    expect(p.frequencies.c49).toBe(5);
    expect(Object.hasOwn(p.frequencies, 'c50')).toBe(false);
    expect(p.frequencies[OTHER_CATEGORY]).toBe(50);
    expect(Object.values(p.frequencies).reduce((s, n) => s + n, 0)).toBe(p.count);
  });

  it('profiles plain names, keeps awkward names as ordinary keys and survives JSON', () => {
    const p = profileCategories(['a', '__proto__', 'a', null, 'constructor', undefined]);
    expect(p.count).toBe(4);
    expect(p.nulls).toBe(2);
    const parsed = JSON.parse(JSON.stringify(p));
    expect(Object.entries(parsed.frequencies)).toEqual([
      ['a', 2],
      ['__proto__', 1],
      ['constructor', 1],
    ]);
    expect(Object.hasOwn(p.frequencies, OTHER_CATEGORY)).toBe(false);
  });
});

function syntheticTable(rows: number): Table {
  const random = mulberry32(11);
  const time = new Float64Array(rows);
  // Two entities, each ascending, interleaved: the table is not globally sorted.
  for (let i = 0; i < rows; i++) time[i] = Date.UTC(2024, 0, 1) + (i % 2 === 0 ? i : i - 10_000) * 3_600_000;
  const numeric = new Map<string, Float64Array>();
  const scales = [1, 1e-3, 15, 1e3, 1e6, 0.5, 40, 2];
  scales.forEach((std, k) => {
    numeric.set(`n${k}`, normalSample(random, rows, k * std * 10, std));
  });
  const entity = Int32Array.from({ length: rows }, (_, i) => i % 2);
  const category = Int32Array.from({ length: rows }, () => Math.floor(random() ** 2 * 120));
  const categorical = new Map([
    ['site', { codes: entity, dictionary: ['north', 'south'] }],
    ['meter', { codes: category, dictionary: Array.from({ length: 120 }, (_, i) => `meter-${i}`) }],
  ]);
  return { rows, time, offsetMinutes: new Int16Array(rows), numeric, categorical, entityColumn: 'site' };
}

describe('profileTable', () => {
  it('profiles every column and the time range, compactly', () => {
    const table = syntheticTable(50_000);
    const profile = profileTable(table);
    expect(profile.rows).toBe(50_000);
    expect(profile.timeRange.start).toBe(new Date(Date.UTC(2024, 0, 1) - 9_999 * 3_600_000).toISOString());
    expect(profile.timeRange.end).toBe(new Date(Date.UTC(2024, 0, 1) + 49_998 * 3_600_000).toISOString());
    expect(Object.keys(profile.columns).sort()).toEqual(['meter', 'n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'site']);
    expect(profile.columns.site).toMatchObject({ kind: 'categorical', count: 50_000, frequencies: { north: 25_000, south: 25_000 } });
    const json = JSON.stringify(profile);
    expect(json.length).toBeLessThan(60_000);
    expect(JSON.parse(json)).toEqual(profile);
  });

  it('profiles an empty table without a time range', () => {
    const profile = profileTable(syntheticTable(0));
    expect(profile.rows).toBe(0);
    expect(profile.timeRange).toEqual({});
    expect(profile.columns.n0).toMatchObject({ count: 0, nulls: 0, sample: [] });
    expect(profile.columns.site).toEqual({ kind: 'categorical', count: 0, nulls: 0, frequencies: {} });
  });
});
