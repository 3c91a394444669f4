import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { datasetSpec } from '../../crds/dataset.ts';
import { featureSetSpec } from '../../crds/feature-set.ts';
import { listFeatureSetVersions, loadFeatureRows, saveFeatureRows } from '../store/feature-rows.ts';
import { withTestDatabase } from '../../test/support/test-db.ts';
import type { MaterializeConfig } from '../contract/config.ts';
import { silentLogger } from './logger.ts';
import { runMaterialize } from './materialize.ts';

const exampleDir = new URL('../../examples/energy-forecast/', import.meta.url).pathname;
const db = withTestDatabase();

const config = (lags: number[]): MaterializeConfig => ({
  role: 'materialize',
  dataset: { kind: 'Dataset', name: 'grid', namespace: 'ml', spec: datasetSpec.parse({ source: { csv: { path: 'data/grid-load.csv' } }, columns: [{ name: 'load' }, { name: 'temperature' }] }) },
  featureSet: {
    kind: 'FeatureSet',
    name: 'grid',
    namespace: 'ml',
    spec: featureSetSpec.parse({ datasetRef: { name: 'grid' }, target: 'load', calendar: ['hourOfDay'], lags: [{ column: 'load', steps: lags }], covariates: [{ column: 'temperature', availability: 'knownInAdvance' }] }),
  },
  dataDir: exampleDir,
});

describe('fluxora materialize', () => {
  it('stores each row the features training and serving compute, by the time they describe', async () => {
    const summary = await runMaterialize(config([24]), { pool: db.pool, log: silentLogger });
    expect(summary).toMatchObject({ rows: 13128 - 24, features: 4, table: 'feature_rows' });
    expect(summary.version).toMatch(/^[0-9a-f]{16}$/);
    const [stored] = await listFeatureSetVersions(db.pool, 'ml/grid');
    expect(stored).toMatchObject({ version: summary.version, featureNames: ['hourOfDay_sin_s1', 'hourOfDay_cos_s1', 'load_lag24_s1', 'temperature_s1'], target: 'load', rows: summary.rows });

    // Row at T: lag 24 is the load a day before T, the covariate and target are T's own values (from the CSV itself).
    const csv = readFileSync(`${exampleDir}data/grid-load.csv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const byTime = new Map(csv.map(([t, load, temp]) => [Date.parse(t), { load: Number(load), temp: Number(temp) }]));
    const rows = await loadFeatureRows(db.pool, 'ml/grid', summary.version);
    expect(rows).toHaveLength(summary.rows);
    for (const r of [rows[0], rows[5000], rows[rows.length - 1]]) {
      const t = r.ts.getTime();
      expect(r.entity).toBe('');
      expect(r.features[2]).toBeCloseTo(byTime.get(t - 24 * 3_600_000)?.load as number, 1);
      expect(r.features[3]).toBeCloseTo(byTime.get(t)?.temp as number, 2);
      expect(r.target).toBeCloseTo(byTime.get(t)?.load as number, 1);
      expect(r.features[0] ** 2 + r.features[1] ** 2).toBeCloseTo(1, 5);
    }
  });

  it('rewrites a version idempotently and keeps only the newest versions', async () => {
    const again = await runMaterialize(config([24]), { pool: db.pool, log: silentLogger });
    const count = async (v: string) => (await db.pool.query('SELECT count(*)::int AS n FROM feature_rows WHERE version = $1', [v])).rows[0].n;
    expect(await count(again.version)).toBe(again.rows);
    const versions = [again.version];
    for (const lag of [48, 72, 168]) versions.push((await runMaterialize(config([lag]), { pool: db.pool, log: silentLogger })).version);
    const kept = (await listFeatureSetVersions(db.pool, 'ml/grid')).map((v) => v.version);
    expect(kept.sort()).toEqual(versions.slice(1).sort());
    expect(await count(again.version)).toBe(0);
  });

  it('refuses inconsistent rows and leaves the store unchanged', async () => {
    const before = await listFeatureSetVersions(db.pool, 'ml/other');
    await expect(
      saveFeatureRows(db.pool, {
        featureSet: 'ml/other',
        version: 'v',
        target: 'load',
        featureNames: ['a', 'b'],
        times: new Float64Array([0, 1]),
        entities: ['', ''],
        features: new Float32Array(3),
        targets: new Float32Array(2),
      }),
    ).rejects.toThrow(/inconsistent: 2 times, 2 entities, 2 targets, 3 values for 2 features/);
    expect(await listFeatureSetVersions(db.pool, 'ml/other')).toEqual(before);
  });
});
