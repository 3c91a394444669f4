import { describe, expect, it } from 'vitest';
import { silentLogger, type StoreLogger } from './logger.ts';
import { PredictionLogWriter, prunePredictionLog, readPredictionWindow } from './prediction-log.ts';
import { withTestDatabase } from '../../test/support/test-db.ts';

const NAMES = ['load_lag_24', 'temp', 'hour_sin', 'hour_cos'];

function capture(): StoreLogger & { warns: string[]; infos: string[] } {
  const warns: string[] = [];
  const infos: string[] = [];
  return { warns, infos, debug() {}, info: (_o, m) => infos.push(m), warn: (_o, m) => warns.push(m), error: (_o, m) => warns.push(m) };
}

describe('PredictionLogWriter', () => {
  const db = withTestDatabase();

  it('writes rows in batches and reads them back as columns', async () => {
    const writer = new PredictionLogWriter(db.pool, { capacity: 1000, batchSize: 64, flushIntervalMs: 50, logger: silentLogger });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const features = new Float64Array(4);
    for (let i = 0; i < 150; i++) {
      features.set([i, 20 + i / 10, Math.sin(i), Math.cos(i)]); // the caller reuses its buffer: add() copies
      expect(writer.add({ model: 'm1', version: i < 100 ? 1 : 2, ts: t0 + i * 60_000, features, featureNames: NAMES, outputs: [i * 2, i * 3] })).toBe(true);
    }
    writer.add({ model: 'other', version: 1, features: [1, 2, 3, 4], featureNames: NAMES, outputs: [0] });
    await writer.flush();
    expect(writer.counters).toEqual({ written: 151, dropped: 0, pending: 0, failedFlushes: 0 });

    const win = await readPredictionWindow(db.pool, 'm1', new Date(t0), 10_000);
    expect(win.rows).toBe(150);
    expect([...win.features.keys()]).toEqual(NAMES);
    expect(win.time[0]).toBe(t0);
    expect(win.time[149]).toBe(t0 + 149 * 60_000);
    expect(win.features.get('load_lag_24')![149]).toBe(149);
    expect(win.features.get('temp')![5]).toBeCloseTo(20.5, 5); // stored as float4
    expect(win.outputs).toHaveLength(2);
    expect(win.outputs[1][10]).toBe(30);
    expect(win.versions[0]).toBe(1);
    expect(win.versions[149]).toBe(2);

    // the most recent `limit` rows since `since`, oldest first; per version
    const recent = await readPredictionWindow(db.pool, 'm1', new Date(t0 + 10 * 60_000), 5);
    expect(Array.from(recent.features.get('load_lag_24')!)).toEqual([145, 146, 147, 148, 149]);
    const v1 = await readPredictionWindow(db.pool, 'm1', new Date(t0), 1000, { version: 1 });
    expect(v1.rows).toBe(100);

    expect(await prunePredictionLog(db.pool, new Date(t0 + 50 * 60_000), 'm1')).toBe(50);
    await writer.close();
  });

  it('keeps columns aligned when feature sets differ between rows', async () => {
    const writer = new PredictionLogWriter(db.pool, { logger: silentLogger });
    writer.add({ model: 'mixed', version: 1, ts: 1000, features: [1, 2], featureNames: ['a', 'b'], outputs: [9] });
    writer.add({ model: 'mixed', version: 2, ts: 2000, features: [3, Number.NaN], featureNames: ['b', 'c"q\\'], outputs: [] });
    await writer.close();
    const win = await readPredictionWindow(db.pool, 'mixed', new Date(0), 10);
    expect(Array.from(win.features.get('a')!)).toEqual([1, Number.NaN]);
    expect(Array.from(win.features.get('b')!)).toEqual([2, 3]);
    expect(Array.from(win.features.get('c"q\\')!)).toEqual([Number.NaN, Number.NaN]);
    expect(Array.from(win.outputs[0])).toEqual([9, Number.NaN]);
  });

  it('drops and counts rows beyond capacity without blocking the caller', async () => {
    const writer = new PredictionLogWriter(db.pool, { capacity: 1000, batchSize: 250, flushIntervalMs: 10_000, logger: silentLogger });
    const row = { model: 'burst', version: 1, features: [1, 2, 3, 4], featureNames: NAMES, outputs: [1] };
    const started = performance.now();
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) if (writer.add(row)) accepted++;
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(500); // synchronous and cheap: no I/O in add()
    expect(accepted).toBe(1000);
    expect(writer.counters).toMatchObject({ written: 0, dropped: 9000, pending: 1000 });
    await writer.flush();
    expect(writer.counters).toEqual({ written: 1000, dropped: 9000, pending: 0, failedFlushes: 0 });
    const count = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM prediction_log WHERE model = 'burst'");
    expect(count.rows[0].n).toBe(1000);
    await writer.close();
  });

  it('rejects malformed rows by counting them, never by throwing', async () => {
    const writer = new PredictionLogWriter(db.pool, { logger: silentLogger });
    expect(writer.add({ model: 'x', version: 1, features: [1], featureNames: ['a', 'b'], outputs: [] })).toBe(false);
    expect(writer.add({ model: '', version: 1, features: [], featureNames: [], outputs: [] })).toBe(false);
    expect(writer.add({ model: 'x', version: 1.5, features: [], featureNames: [], outputs: [] })).toBe(false);
    expect(writer.add(null as never)).toBe(false);
    expect(writer.counters.dropped).toBe(4);
    await writer.close();
    expect(writer.add({ model: 'x', version: 1, features: [], featureNames: [], outputs: [] })).toBe(false); // closed
    expect(writer.counters.dropped).toBe(5);
  });

  it('writes a few thousand rows per second at least', async () => {
    const log = capture();
    const names = Array.from({ length: 20 }, (_, i) => `f${i}`);
    const writer = new PredictionLogWriter(db.pool, { capacity: 50_000, batchSize: 1000, flushIntervalMs: 100, logger: log });
    const features = new Float64Array(20).map((_, i) => i * 1.25);
    const outputs = new Float64Array(24).fill(3.5);
    const n = 20_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) writer.add({ model: 'throughput', version: 1, features, featureNames: names, outputs });
    const added = performance.now();
    await writer.flush();
    const done = performance.now();
    const rate = n / ((done - started) / 1000);
    console.log(
      `prediction log: ${n} rows x 20 features + 24 outputs; add() ${(((added - started) / n) * 1000).toFixed(2)} µs/row; ` +
        `written at ${Math.round(rate)} rows/s`,
    );
    expect(writer.counters.written).toBe(n);
    expect(rate).toBeGreaterThan(2000);
    expect(log.warns).toEqual([]);
    await writer.close();
  });

  it('close() drops what it cannot write before the deadline', async () => {
    // A pool whose queries never finish stands in for a hung database.
    const hung = { query: () => new Promise(() => {}) } as unknown as typeof db.pool;
    const log = capture();
    const writer = new PredictionLogWriter(hung, { batchSize: 10, logger: log });
    for (let i = 0; i < 25; i++) writer.add({ model: 'h', version: 1, features: [], featureNames: [], outputs: [] });
    const started = performance.now();
    const counters = await writer.close(200);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(counters).toMatchObject({ written: 0, dropped: 15, pending: 10 }); // one batch of 10 still in flight
    expect(log.warns).toEqual(['prediction log closed with unwritten rows']);
  });
});
