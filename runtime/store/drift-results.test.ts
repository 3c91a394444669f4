import { describe, expect, it } from 'vitest';
import { latestDriftResult, listDriftResults, recordDriftResult } from './drift-results.ts';
import { withTestDatabase } from '../../test/support/test-db.ts';

describe('drift results', () => {
  const db = withTestDatabase();

  it('records runs and reads them newest first, filtered', async () => {
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 3; i++) {
      await recordDriftResult(db.pool, {
        monitor: 'load-drift',
        model: 'energy-load',
        version: 2,
        ranAt: new Date(base + i * 3_600_000),
        result: { drifted: i === 2, psi: { temp: 0.05 * (i + 1) } },
      });
    }
    const other = await recordDriftResult(db.pool, { monitor: 'other', model: 'm2', result: { drifted: false } });
    expect(other).toMatchObject({ monitor: 'other', model: 'm2', version: null, result: { drifted: false } });
    expect(typeof other.id).toBe('number');

    const latest = await latestDriftResult(db.pool, 'load-drift');
    expect(latest?.result).toEqual({ drifted: true, psi: { temp: 0.15000000000000002 } });
    expect(latest?.ranAt.getTime()).toBe(base + 2 * 3_600_000);

    const byModel = await listDriftResults(db.pool, { model: 'energy-load' });
    expect(byModel.map((r) => r.ranAt.getTime())).toEqual([base + 7_200_000, base + 3_600_000, base]);
    expect(await listDriftResults(db.pool, { monitor: 'load-drift', since: new Date(base + 3_600_000), limit: 1 })).toHaveLength(1);
    expect(await listDriftResults(db.pool, { monitor: 'load-drift', since: new Date(base + 3_600_000) })).toHaveLength(2);
    expect(await listDriftResults(db.pool)).toHaveLength(4);
    expect(await latestDriftResult(db.pool, 'never-ran')).toBeUndefined();
  });
});
