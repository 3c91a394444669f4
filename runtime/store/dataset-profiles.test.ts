import { describe, expect, it } from 'vitest';
import { listDatasetProfiles, loadDatasetProfile, saveDatasetProfile } from './dataset-profiles.ts';
import { withTestDatabase } from './test-db.ts';

describe('dataset profiles', () => {
  const db = withTestDatabase();

  it('saves, replaces, loads and lists profiles', async () => {
    const profile = { rows: 8760, columns: { load: { mean: 12.5, nulls: 0, histogram: { edges: [0, 10, 20], counts: [3, 4] } } } };
    await saveDatasetProfile(db.pool, 'energy', 'v1', profile);
    await saveDatasetProfile(db.pool, 'energy', 'v2', { rows: 1 });
    await saveDatasetProfile(db.pool, 'energy', 'v2', { rows: 2 }); // idempotent upsert
    expect((await loadDatasetProfile(db.pool, 'energy', 'v1'))?.profile).toEqual(profile);
    expect((await loadDatasetProfile(db.pool, 'energy', 'v2'))?.profile).toEqual({ rows: 2 });
    expect(await loadDatasetProfile(db.pool, 'energy', 'v3')).toBeUndefined();
    const all = await listDatasetProfiles(db.pool, 'energy');
    expect(all.map((p) => p.version)).toEqual(['v2', 'v1']);
    expect(all[0].createdAt).toBeInstanceOf(Date);
    expect(await listDatasetProfiles(db.pool, 'unknown')).toEqual([]);
  });
});
