import { describe, expect, it } from 'vitest';
import { withTestDatabase } from '../../test/support/test-db.ts';
import {
  listModels,
  listVersions,
  loadModel,
  type ModelArtifact,
  NotFoundError,
  registerModel,
  removeAlias,
  resolveVersion,
  setAlias,
} from './registry.ts';

function artifact(weightCount = 16, seed = 1): ModelArtifact {
  const weights = new Float32Array(weightCount);
  let x = seed;
  for (let i = 0; i < weightCount; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    weights[i] = x / 2 ** 31 - 0.5;
  }
  return {
    format: 'test/float32',
    weightData: weights.buffer,
    pipeline: { features: [{ name: 'lag_24', kind: 'lag', lag: 24 }], scalers: { lag_24: { mean: 1.5, std: 0.25 } } },
    conformal: { alpha: 0.1, quantiles: [0.8, 1.2] },
    profile: { rows: 8760, columns: { load: { mean: 10.5, histogram: [1, 2, 3] } } },
    horizon: 24,
    inputNames: ['lag_24', 'hour_sin', 'hour_cos'],
  };
}

const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as NotFoundError);

describe('model registry', () => {
  const db = withTestDatabase();

  it('round-trips a 1 MB artifact with its lineage', async () => {
    const art = artifact(262_144, 7); // 1 MiB of float32 weights
    const t0 = performance.now();
    const ref = await registerModel(db.pool, {
      name: 'energy-load',
      metrics: { mape: 0.042, rmse: 12.5 },
      params: { units: 24, lr: 0.001 },
      datasetVersion: 'ds-3f2a',
      featureVersion: 'fs-77',
      trainingJob: 'train-energy-load-abc12',
      artifact: art,
      alias: 'candidate',
    });
    const t1 = performance.now();
    const loaded = await loadModel(db.pool, 'energy-load', { version: ref.version });
    const t2 = performance.now();
    console.log(`1 MiB artifact: register ${(t1 - t0).toFixed(1)} ms, load ${(t2 - t1).toFixed(1)} ms`);

    expect(ref).toEqual({ name: 'energy-load', version: 1 });
    expect(loaded.weightBytes).toBe(1_048_576);
    expect(loaded.artifact.weightData).toBeInstanceOf(Uint8Array);
    expect(loaded.artifact.weightData.byteLength).toBe(1_048_576);
    expect(loaded.artifact.weightData.buffer.byteLength).toBe(1_048_576);
    expect(Buffer.from(loaded.artifact.weightData).equals(Buffer.from(art.weightData as ArrayBuffer))).toBe(true); // deep-equal of 262k floats is slow
    const { weightData: _w, ...rest } = art;
    const { weightData: _l, ...loadedRest } = loaded.artifact;
    expect(loadedRest).toEqual(rest);
    expect(loaded).toMatchObject({
      name: 'energy-load',
      version: 1,
      metrics: { mape: 0.042, rmse: 12.5 },
      params: { units: 24, lr: 0.001 },
      datasetVersion: 'ds-3f2a',
      featureVersion: 'fs-77',
      trainingJob: 'train-energy-load-abc12',
      aliases: ['candidate'],
    });
    expect(loaded.createdAt).toBeInstanceOf(Date);
    expect((await loadModel(db.pool, 'energy-load', { alias: 'candidate' })).version).toBe(1);
  });

  it('accepts typed arrays and sharded ArrayBuffers as weights', async () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([4, 5]);
    const sharded = await registerModel(db.pool, { name: 'shards', artifact: { ...artifact(), weightData: [a.buffer, b.buffer] } });
    expect(Array.from((await loadModel(db.pool, 'shards', { version: sharded.version })).artifact.weightData)).toEqual([1, 2, 3, 4, 5]);
    const view = new Float32Array([1, 2, 3, 4]).subarray(1, 3);
    const typed = await registerModel(db.pool, { name: 'shards', artifact: { ...artifact(), weightData: view } });
    const back = (await loadModel(db.pool, 'shards', { version: typed.version })).artifact.weightData;
    expect(Array.from(new Float32Array(back.buffer))).toEqual([2, 3]);
  });

  it('gives concurrent registrations distinct consecutive versions', async () => {
    const n = 12;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => registerModel(db.pool, { name: 'contended', artifact: artifact(1024, i), metrics: { i } })),
    );
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // and again on the now existing model
    const more = await Promise.all([0, 1, 2, 3].map((i) => registerModel(db.pool, { name: 'contended', artifact: artifact(8, i) })));
    expect(more.map((r) => r.version).sort((x, y) => x - y)).toEqual([13, 14, 15, 16]);
    const versions = await listVersions(db.pool, 'contended');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    // each version kept its own metrics (no cross-talk between the transactions)
    for (const r of results) {
      const v = versions.find((x) => x.version === r.version)!;
      expect(typeof v.metrics.i).toBe('number');
    }
  });

  it('moves aliases atomically and resolves versions and aliases', async () => {
    const v1 = await registerModel(db.pool, { name: 'aliased', artifact: artifact(), alias: ['production', 'candidate'] });
    const v2 = await registerModel(db.pool, { name: 'aliased', artifact: artifact(), alias: 'candidate' });
    expect(await resolveVersion(db.pool, 'aliased', 'production')).toBe(v1.version);
    expect(await resolveVersion(db.pool, 'aliased', 'candidate')).toBe(v2.version);
    expect(await resolveVersion(db.pool, 'aliased', 'latest')).toBe(v2.version);
    expect(await resolveVersion(db.pool, 'aliased', '1')).toBe(1);
    expect(await resolveVersion(db.pool, 'aliased', 2)).toBe(2);

    await setAlias(db.pool, 'aliased', 'production', v2.version);
    expect((await loadModel(db.pool, 'aliased', { alias: 'production' })).version).toBe(v2.version);
    const summaries = await listVersions(db.pool, 'aliased');
    expect(summaries.map((s) => s.aliases)).toEqual([[], ['candidate', 'production']]);

    // an explicit alias named latest wins over the implicit one
    await setAlias(db.pool, 'aliased', 'latest', v1.version);
    expect(await resolveVersion(db.pool, 'aliased', 'latest')).toBe(v1.version);
    expect(await removeAlias(db.pool, 'aliased', 'latest')).toBe(true);
    expect(await resolveVersion(db.pool, 'aliased', 'latest')).toBe(v2.version);

    const models = await listModels(db.pool);
    expect(models.find((m) => m.name === 'aliased')).toMatchObject({
      latestVersion: 2,
      aliases: { production: 2, candidate: 2 },
    });
  });

  it('concurrent alias moves leave exactly one winner', async () => {
    for (let i = 0; i < 4; i++) await registerModel(db.pool, { name: 'race', artifact: artifact() });
    await Promise.all([1, 2, 3, 4].map((v) => setAlias(db.pool, 'race', 'production', v)));
    const rows = await db.pool.query("SELECT version FROM model_aliases WHERE name = 'race' AND alias = 'production'");
    expect(rows.rowCount).toBe(1);
  });

  it('throws typed NotFoundErrors naming what was missing', async () => {
    await registerModel(db.pool, { name: 'present', artifact: artifact() });

    const model = await errorOf(loadModel(db.pool, 'absent', { version: 1 }));
    expect(model).toBeInstanceOf(NotFoundError);
    expect(model).toMatchObject({ kind: 'model', model: 'absent', code: 'FLUXORA_NOT_FOUND' });
    expect(model?.message).toBe('model "absent" is not registered');

    const version = await errorOf(loadModel(db.pool, 'present', { version: 9 }));
    expect(version).toMatchObject({ kind: 'version', model: 'present', version: 9 });
    expect(version?.message).toBe('model "present" has no version 9');

    const alias = await errorOf(loadModel(db.pool, 'present', { alias: 'production' }));
    expect(alias).toMatchObject({ kind: 'alias', model: 'present', alias: 'production' });
    expect(alias?.message).toBe('model "present" has no alias "production"');

    expect(await errorOf(loadModel(db.pool, 'absent', { alias: 'latest' }))).toMatchObject({ kind: 'model' });
    expect(await errorOf(setAlias(db.pool, 'present', 'production', 5))).toMatchObject({ kind: 'version', version: 5 });
    expect(await errorOf(setAlias(db.pool, 'absent', 'production', 1))).toMatchObject({ kind: 'model' });
    expect(await errorOf(listVersions(db.pool, 'absent'))).toMatchObject({ kind: 'model' });
    expect(await errorOf(resolveVersion(db.pool, 'present', '3'))).toMatchObject({ kind: 'version', version: 3 });
  });

  it('validates names, aliases and artifacts before touching the database', async () => {
    await expect(registerModel(db.pool, { name: 'bad name', artifact: artifact() })).rejects.toThrow(/invalid model name/);
    await expect(registerModel(db.pool, { name: 'ok', artifact: artifact(), alias: '42' })).rejects.toThrow(/invalid alias/);
    await expect(registerModel(db.pool, { name: 'ok', artifact: { ...artifact(), horizon: 0 } })).rejects.toThrow(/horizon/);
    await expect(loadModel(db.pool, 'ok', { version: 0 })).rejects.toThrow(/invalid model version/);
    expect(await db.pool.query("SELECT 1 FROM models WHERE name = 'ok'")).toMatchObject({ rowCount: 0 });
  });
});
