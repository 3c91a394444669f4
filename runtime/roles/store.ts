import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createStore, databaseConfigFromEnv, type Store, storeFromEnv } from '../store/connect.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../store/embedded.ts';
import { migrate } from '../store/migrations.ts';
import type { RoleLogger } from './logger.ts';

/** RoleStore is an open store plus how to close it (and the embedded server, when one was started). */
export interface RoleStore extends Store {
  /** The connection string child processes get as FLUXORA_DATABASE_URL. */
  connectionString?: string;
  embedded?: EmbeddedPostgres;
}

/**
 * openRoleStore opens the database the environment names (FLUXORA_DATABASE_URL
 * or PG* variables, as a Secret provides it in a pod) and applies migrations.
 * With none configured, it starts an embedded PostgreSQL under `stateDir`
 * (reused on the next run, so registered models persist) for local use.
 */
export async function openRoleStore(opts: { stateDir: string; env?: Record<string, string | undefined>; log: RoleLogger }): Promise<RoleStore> {
  const env = opts.env ?? process.env;
  if (databaseConfigFromEnv(env)) {
    const store = await storeFromEnv(env, { logger: opts.log });
    return Object.assign(store, { connectionString: env.FLUXORA_DATABASE_URL });
  }
  const embedded = await startLocalPostgres(opts.stateDir, opts.log);
  const store = createStore(embedded.connectionString, { logger: opts.log });
  await migrate(store.pool, { logger: opts.log });
  return {
    pool: store.pool,
    address: store.address,
    connectionString: embedded.connectionString,
    embedded,
    async close() {
      await store.close();
      await embedded.stop();
    },
  };
}

/**
 * startLocalPostgres starts the embedded PostgreSQL under STATE_DIR/postgres. As
 * root the server runs as the postgres user, which may not be able to enter the
 * state directory's parents (a home directory of mode 700): then the data goes
 * under the system temp directory, keyed by the state directory, and is reused
 * from there.
 */
async function startLocalPostgres(stateDir: string, log: RoleLogger): Promise<EmbeddedPostgres> {
  try {
    return await startEmbeddedPostgres({ dataDir: join(stateDir, 'postgres'), persistent: true, logger: log });
  } catch (err) {
    if (!/cannot enter/.test((err as Error).message)) throw err;
    const key = createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 12);
    const dataDir = join(tmpdir(), 'fluxora-postgres', key);
    log.warn({ stateDir, dataDir, reason: (err as Error).message }, 'State directory not reachable by the postgres user; using the temp directory');
    return startEmbeddedPostgres({ dataDir, persistent: true, logger: log });
  }
}
