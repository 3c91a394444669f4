import pg from 'pg';
import { defaultStoreLogger, type StoreLogger } from './logger.ts';
import { migrate } from './migrations.ts';
import { redact, redactError } from './redact.ts';

export { redact } from './redact.ts';

/**
 * The connection to the fluxora PostgreSQL database: where it is (from the
 * environment), and a pool wrapper that never lets the password reach a log line
 * or an error message.
 */

/** Store is an open connection pool to the fluxora database. */
export interface Store {
  /** The pg pool; use it for queries and transactions (`pool.connect()`). */
  readonly pool: pg.Pool;
  /** The database address with the password masked, for logs and errors. */
  readonly address: string;
  /** close ends the pool (waits for checked-out clients to be released); idempotent. */
  close(): Promise<void>;
}

/** StoreOptions tune createStore and storeFromEnv. */
export interface StoreOptions {
  logger?: StoreLogger;
  /** Maximum pool size. Default 10. */
  max?: number;
  /** Connect timeout in ms (a down database fails fast instead of hanging). Default 5000. */
  connectionTimeoutMillis?: number;
  /** `application_name` reported to the server. Default `fluxora`. */
  applicationName?: string;
}

/** StoreConnectionError is thrown when the database cannot be reached; its message is redacted. */
export class StoreConnectionError extends Error {
  /** address is the redacted database address. */
  readonly address: string;
  constructor(address: string, cause: unknown) {
    super(`cannot connect to PostgreSQL at ${address}: ${redactError(cause)}`);
    this.name = 'StoreConnectionError';
    this.address = address;
  }
}

/**
 * databaseConfigFromEnv reads the database address from `env`: FLUXORA_DATABASE_URL
 * when set, else the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
 * (and PGSSLMODE: disable | require | verify-ca | verify-full); undefined when
 * neither FLUXORA_DATABASE_URL nor PGHOST/PGDATABASE is set; throws on an invalid PGPORT.
 */
export function databaseConfigFromEnv(env: Record<string, string | undefined>): pg.PoolConfig | undefined {
  const url = env.FLUXORA_DATABASE_URL?.trim();
  if (url) return { connectionString: url };
  if (!env.PGHOST && !env.PGDATABASE) return undefined;
  const port = env.PGPORT ? Number(env.PGPORT) : 5432;
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`PGPORT must be a port number, got ${JSON.stringify(env.PGPORT)}`);
  const config: pg.PoolConfig = {
    host: env.PGHOST || 'localhost',
    port,
    user: env.PGUSER || undefined,
    password: env.PGPASSWORD || undefined,
    database: env.PGDATABASE || undefined,
  };
  const sslmode = env.PGSSLMODE?.toLowerCase();
  if (sslmode === 'require' || sslmode === 'prefer') config.ssl = { rejectUnauthorized: false };
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') config.ssl = true;
  return config;
}

/** describeAddress renders a pool config as a redacted `postgresql://user:***@host:port/db` string. */
export function describeAddress(config: string | pg.PoolConfig): string {
  if (typeof config === 'string') return redact(config);
  if (config.connectionString) return redact(config.connectionString);
  const user = config.user ? `${config.user}${config.password ? ':***' : ''}@` : '';
  return `postgresql://${user}${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? ''}`;
}

/**
 * createStore opens a pool (lazily: no connection is made until the first query).
 * Errors of idle clients (the server restarting) are logged, redacted, instead of
 * crashing the process.
 */
export function createStore(config: string | pg.PoolConfig, options: StoreOptions = {}): Store {
  const logger = options.logger ?? defaultStoreLogger();
  const base: pg.PoolConfig = typeof config === 'string' ? { connectionString: config } : { ...config };
  const address = describeAddress(base);
  const pool = new pg.Pool({
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'fluxora',
    ...base,
  });
  pool.on('error', (err) => {
    logger.warn({ address, err: redactError(err) }, 'idle database connection failed');
  });
  let closing: Promise<void> | undefined;
  return {
    pool,
    address,
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
}

/**
 * storeFromEnv opens the store named by the environment (see databaseConfigFromEnv),
 * checks that it answers, and applies the migrations (unless `migrate: false`).
 * Throws a StoreConnectionError (password masked) when it cannot connect, and an
 * Error when no database is configured.
 */
export async function storeFromEnv(
  env: Record<string, string | undefined> = process.env,
  options: StoreOptions & { migrate?: boolean } = {},
): Promise<Store> {
  const config = databaseConfigFromEnv(env);
  if (config === undefined) {
    throw new Error('no database configured: set FLUXORA_DATABASE_URL (or PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)');
  }
  const store = createStore(config, options);
  try {
    await store.pool.query('SELECT 1');
  } catch (err) {
    await store.close().catch(() => undefined);
    throw new StoreConnectionError(store.address, err);
  }
  if (options.migrate !== false) {
    try {
      await migrate(store.pool, { logger: options.logger });
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  }
  return store;
}
