import { describe, expect, it } from 'vitest';
import { createStore, databaseConfigFromEnv, describeAddress, StoreConnectionError, storeFromEnv } from './connect.ts';
import { silentLogger } from './logger.ts';
import { withTestDatabase } from '../../test/support/test-db.ts';

describe('databaseConfigFromEnv', () => {
  it('prefers FLUXORA_DATABASE_URL', () => {
    expect(databaseConfigFromEnv({ FLUXORA_DATABASE_URL: 'postgres://a:b@h/d', PGHOST: 'other' })).toEqual({
      connectionString: 'postgres://a:b@h/d',
    });
  });

  it('falls back to the libpq variables', () => {
    const config = databaseConfigFromEnv({
      PGHOST: 'db',
      PGPORT: '6543',
      PGUSER: 'u',
      PGPASSWORD: 'pw',
      PGDATABASE: 'fx',
      PGSSLMODE: 'require',
    });
    expect(config).toMatchObject({ host: 'db', port: 6543, user: 'u', password: 'pw', database: 'fx' });
    expect(config?.ssl).toEqual({ rejectUnauthorized: false });
    expect(describeAddress(config!)).toBe('postgresql://u:***@db:6543/fx');
  });

  it('rejects an invalid PGPORT', () => {
    expect(() => databaseConfigFromEnv({ PGHOST: 'db', PGPORT: 'fivefourthreetwo' })).toThrow(/PGPORT/);
  });

  it('returns undefined when nothing is configured', () => {
    expect(databaseConfigFromEnv({})).toBeUndefined();
  });
});

describe('storeFromEnv against a real server', () => {
  const db = withTestDatabase({ migrate: false });

  it('connects, migrates and closes', async () => {
    const store = await storeFromEnv({ FLUXORA_DATABASE_URL: db.connectionString }, { logger: silentLogger });
    try {
      const res = await store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM fluxora_schema_migrations');
      expect(res.rows[0].n).toBeGreaterThan(0);
      expect(store.address).not.toContain(new URL(db.connectionString).password);
      expect(store.address).toContain(':***@');
    } finally {
      await store.close();
      await store.close();
    }
  });

  it('reports a wrong password without revealing it', async () => {
    const url = new URL(db.connectionString);
    url.password = 'wrong-secret-value';
    const err = await storeFromEnv({ FLUXORA_DATABASE_URL: url.toString() }, { logger: silentLogger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreConnectionError);
    expect((err as Error).message).toMatch(/password authentication failed/);
    expect((err as Error).message).not.toContain('wrong-secret-value');
  });

  it('reports an unreachable server quickly, redacted', async () => {
    const url = new URL(db.connectionString);
    url.port = '1';
    url.password = 'another-secret';
    const err = await storeFromEnv({ FLUXORA_DATABASE_URL: url.toString() }, { logger: silentLogger }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/cannot connect to PostgreSQL at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\//);
    expect((err as Error).message).not.toContain('another-secret');
  });

  it('throws a clear error when no database is configured', async () => {
    await expect(storeFromEnv({}, { logger: silentLogger })).rejects.toThrow(/FLUXORA_DATABASE_URL/);
  });

  it('createStore pools answer queries lazily', async () => {
    const store = createStore(db.connectionString, { logger: silentLogger, max: 2 });
    expect((await store.pool.query('SELECT 41 + 1 AS x')).rows[0].x).toBe(42);
    await store.close();
  });
});
