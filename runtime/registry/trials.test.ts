import { describe, expect, it } from 'vitest';
import { withTestDatabase } from '../../test/support/test-db.ts';
import { NotFoundError } from './not-found.ts';
import { bestTrial, finishTrial, listTrials, recordTrial } from './trials.ts';

describe('tuning trials', () => {
  const db = withTestDatabase();

  it('records, finishes, lists and picks the best trial', async () => {
    const study = 'energy-load-hpo';
    const t0 = await recordTrial(db.pool, { study, params: { lr: 0.01 } });
    const t1 = await recordTrial(db.pool, { study, params: { lr: 0.001 } });
    const t2 = await recordTrial(db.pool, { study, params: { lr: 0.1 } });
    const t3 = await recordTrial(db.pool, { study, params: { lr: 0.5 } });
    expect([t0.trial, t1.trial, t2.trial, t3.trial]).toEqual([0, 1, 2, 3]);
    expect(t0).toMatchObject({ status: 'running', metrics: null, finishedAt: null });

    await finishTrial(db.pool, study, 0, { metrics: { mape: 0.08, rmse: 20 } });
    const done = await finishTrial(db.pool, study, 1, { metrics: { mape: 0.05, rmse: 25 } });
    expect(done.status).toBe('completed');
    expect(done.finishedAt).toBeInstanceOf(Date);
    await finishTrial(db.pool, study, 2, { metrics: { mape: 0.01 }, status: 'failed' });

    const all = await listTrials(db.pool, study);
    expect(all.map((t) => [t.trial, t.status])).toEqual([
      [0, 'completed'],
      [1, 'completed'],
      [2, 'failed'],
      [3, 'running'],
    ]);
    expect((await bestTrial(db.pool, study, 'mape', 'minimize'))?.trial).toBe(1); // the failed one does not count
    expect((await bestTrial(db.pool, study, 'rmse', 'minimize'))?.trial).toBe(0);
    expect((await bestTrial(db.pool, study, 'rmse', 'maximize'))?.trial).toBe(1);
    expect(await bestTrial(db.pool, study, 'missing', 'minimize')).toBeUndefined();
    expect(await bestTrial(db.pool, 'no-such-study', 'mape', 'minimize')).toBeUndefined();
    expect(await listTrials(db.pool, 'no-such-study')).toEqual([]);
  });

  it('allocates distinct trial numbers to parallel workers', async () => {
    const trials = await Promise.all(Array.from({ length: 10 }, (_, i) => recordTrial(db.pool, { study: 'parallel', params: { i } })));
    expect(trials.map((t) => t.trial).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('upserts an explicitly numbered trial (resumed tuning job)', async () => {
    await recordTrial(db.pool, { study: 'resume', trial: 5, params: { lr: 1 } });
    const again = await recordTrial(db.pool, { study: 'resume', trial: 5, params: { lr: 2 }, status: 'completed', metrics: { mape: 0.3 } });
    expect(again).toMatchObject({ trial: 5, params: { lr: 2 }, status: 'completed', metrics: { mape: 0.3 } });
    expect(again.finishedAt).toBeInstanceOf(Date);
    expect(await listTrials(db.pool, 'resume')).toHaveLength(1);
  });

  it('reports a missing trial', async () => {
    const err = await finishTrial(db.pool, 'nope', 3, { metrics: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toBe('study "nope" has no trial 3');
  });
});
