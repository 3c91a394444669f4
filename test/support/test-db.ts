import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createStore, type Store } from '../../runtime/store/connect.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../runtime/store/embedded.ts';
import { silentLogger } from '../../runtime/store/logger.ts';
import { migrate } from '../../runtime/store/migrations.ts';
import { initCluster, postgresRunAs } from '../../runtime/store/postgres-process.ts';
import { serverBinaries, serverHome } from '../../runtime/store/server-home.ts';

/**
 * Test support: a real PostgreSQL for integration tests, no mocks. One embedded
 * server per test file (vitest runs each file in its own worker), started lazily
 * in a temp dir on a free port, without fsync; each withTestDatabase() call gets
 * its own fresh database on it (CREATE DATABASE), migrated by default, dropped in
 * afterAll; the server and its temp dir go when the last user is done.
 *
 *   const db = withTestDatabase();
 *   it('stores', async () => { await db.pool.query('SELECT 1'); });
 */

/** TestDatabase is the handle returned by withTestDatabase; its fields are valid inside tests. */
export interface TestDatabase {
  /** Connection string of this handle's database (contains the password). */
  readonly connectionString: string;
  /** A pool on this handle's database. */
  readonly pool: pg.Pool;
  /** The shared embedded server of this test file. */
  readonly server: EmbeddedPostgres;
  /** fresh creates one more empty database (migrated unless `migrate: false`), dropped in afterAll. */
  fresh(options?: { migrate?: boolean }): Promise<{ connectionString: string; pool: pg.Pool }>;
}

let shared: Promise<{ server: EmbeddedPostgres; dir: string }> | undefined;
let users = 0;

async function startShared(): Promise<{ server: EmbeddedPostgres; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fluxora-testdb-'));
  // The server runs as the postgres user when we are root: it must be able to enter the dir.
  await chmod(dir, 0o755);
  await seedTestDataDir(join(dir, 'state'));
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, 'state'),
    persistent: false,
    durable: false,
    createPostgresUser: true,
    database: 'postgres',
    logger: silentLogger,
  });
  return { server, dir };
}

/**
 * withTestDatabase registers beforeAll/afterAll hooks (call it at the top of a test
 * file or describe block) and returns a handle on a fresh database of the file's
 * shared embedded PostgreSQL, migrated unless `migrate: false`.
 */
export function withTestDatabase(options: { migrate?: boolean } = {}): TestDatabase {
  let server: EmbeddedPostgres | undefined;
  const stores: Store[] = [];
  const names: string[] = [];
  let main: { connectionString: string; pool: pg.Pool } | undefined;

  const fresh = async (opts: { migrate?: boolean } = {}) => {
    if (!server) throw new Error('withTestDatabase: the server is not started (use the handle inside tests)');
    const name = `fluxora_test_${randomBytes(5).toString('hex')}`;
    const admin = createStore(server.connectionString, { logger: silentLogger, max: 1 });
    try {
      await admin.pool.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.close();
    }
    names.push(name);
    const url = new URL(server.connectionString);
    url.pathname = `/${name}`;
    const connectionString = url.toString();
    const store = createStore(connectionString, { logger: silentLogger });
    stores.push(store);
    if (opts.migrate ?? options.migrate ?? true) await migrate(store.pool, { logger: silentLogger });
    return { connectionString, pool: store.pool };
  };

  beforeAll(async () => {
    users++;
    shared ??= startShared();
    server = (await shared).server;
    main = await fresh();
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    if (server && names.length > 0) {
      const admin = createStore(server.connectionString, { logger: silentLogger, max: 1 });
      for (const name of names) await admin.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.close();
    }
    users--;
    if (users === 0 && shared) {
      const { server: s, dir } = await shared;
      shared = undefined;
      await s.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('withTestDatabase: use the handle inside tests (after beforeAll)');
    return value;
  };
  return {
    get connectionString() {
      return need(main).connectionString;
    },
    get pool() {
      return need(main).pool;
    },
    get server() {
      return need(server);
    },
    fresh,
  };
}

const execFileAsync = promisify(execFile);
let template: Promise<string> | undefined;

/**
 * seedTestDataDir fills `dataDir` with a copy of a cached, freshly initialised
 * cluster (and its password file), so startEmbeddedPostgres on it skips initdb,
 * which costs one to several seconds. The template is made once per machine in the
 * temp dir, keyed by the PostgreSQL binary, without fsync: for tests only.
 */
export async function seedTestDataDir(dataDir: string): Promise<void> {
  template ??= ensureTemplate();
  const source = await template;
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  await chmod(dataDir, 0o755);
  // cp -a keeps the ownership (the postgres user, when root) and modes PostgreSQL insists on.
  await execFileAsync('cp', ['-a', join(source, 'pgdata'), join(dataDir, 'pgdata')]);
  await copyFile(join(source, 'postgres.password'), join(dataDir, 'postgres.password'));
  await chmod(join(dataDir, 'postgres.password'), 0o600);
}

async function ensureTemplate(): Promise<string> {
  const runAs = await postgresRunAs('postgres', true);
  const binaries = await serverBinaries(runAs, serverHome());
  const bin = await stat(binaries.postgres);
  const key = createHash('sha256').update(`${binaries.postgres}:${bin.size}:${bin.mtimeMs}:${process.getuid?.() ?? ''}`).digest('hex').slice(0, 12);
  const path = join(tmpdir(), `fluxora-pg-template-${key}`);
  const ready = await stat(join(path, 'postgres.password')).then(
    () => true,
    () => false,
  );
  if (ready) return path;
  const building = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(building, { recursive: true, mode: 0o755 });
  await chmod(building, 0o755);
  const password = randomBytes(18).toString('hex');
  await initCluster({ initdb: binaries.initdb, pgdata: join(building, 'pgdata'), superuser: 'postgres', password, runAs, durable: false });
  await writeFile(join(building, 'postgres.password'), password, { mode: 0o600 });
  // Publish atomically; when another worker won the race, use theirs.
  await rename(building, path).catch(() => rm(building, { recursive: true, force: true }));
  return path;
}
