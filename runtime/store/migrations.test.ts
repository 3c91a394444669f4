import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.ts';
import { migrate, migrations } from './migrations.ts';
import { withTestDatabase } from '../../test/support/test-db.ts';

describe('migrate', () => {
  const db = withTestDatabase({ migrate: false });

  it('creates the schema once and is idempotent', async () => {
    const first = await migrate(db.pool, { logger: silentLogger });
    expect(first.applied).toEqual(migrations.map((m) => m.version));
    const second = await migrate(db.pool, { logger: silentLogger });
    expect(second).toEqual({ applied: [], current: first.current });
    const tables = await db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'drift_results',
      'feature_rows',
      'feature_set_versions',
      'fluxora_schema_migrations',
      'model_aliases',
      'model_versions',
      'models',
      'prediction_log',
      'training_epochs',
      'tuning_trials',
    ]);
  });

  it('is safe when several pods migrate one empty database at the same time', async () => {
    const fresh = await db.fresh({ migrate: false });
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(fresh.pool, { logger: silentLogger })));
    const applied = results.map((r) => r.applied.length).sort();
    expect(applied).toEqual([0, 0, 0, migrations.length]);
    const rows = await fresh.pool.query('SELECT version FROM fluxora_schema_migrations');
    expect(rows.rowCount).toBe(migrations.length);
  });

  it('rolls a failing migration back entirely', async () => {
    const fresh = await db.fresh({ migrate: false });
    const broken = [...migrations, { version: 999, name: 'broken', sql: 'CREATE TABLE ok_table (x int); SELECT nope FROM nowhere;' }];
    await expect(migrate(fresh.pool, { logger: silentLogger, migrations: broken })).rejects.toThrow(/nowhere/);
    const tables = await fresh.pool.query("SELECT 1 FROM information_schema.tables WHERE table_name IN ('models', 'ok_table')");
    expect(tables.rowCount).toBe(0);
  });

  it('rejects unordered migration lists', async () => {
    const bad = [migrations[0], { version: 1, name: 'dup', sql: 'SELECT 1' }];
    await expect(migrate(db.pool, { logger: silentLogger, migrations: bad })).rejects.toThrow(/strictly increasing/);
  });
});
