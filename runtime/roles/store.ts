import { join } from 'node:path';
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
  // As root the server runs as the `postgres` system user (created when missing,
  // as Debian's postgresql package does); when that user cannot enter the state
  // directory's parents (a checkout under /root) the binaries and the cluster go
  // under the server home (runtime/store/server-home.ts).
  const embedded = await startEmbeddedPostgres({ dataDir: join(opts.stateDir, 'postgres'), persistent: true, createPostgresUser: true, logger: opts.log });
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
