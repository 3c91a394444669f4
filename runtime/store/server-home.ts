import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type PostgresBinaries, postgresBinaries, type RunAs } from './postgres-process.ts';

/**
 * Where the PostgreSQL server's files go when it cannot use them in place.
 *
 * As root the embedded server runs as the `postgres` system user (PostgreSQL
 * refuses root), which must be able to enter every directory down to its binaries
 * and its cluster. A checkout under a private directory (`/root`, a `mktemp -d`
 * folder: mode 0700) hides both. Then, instead of failing with a bare EACCES:
 *
 *   - the binaries are copied once per package version to
 *     `<home>/postgres-<version>/` (root-owned, world-readable, like /usr/lib);
 *   - the cluster lives in `<home>/clusters/<key>/pgdata`, where `<key>` is a hash
 *     of the state directory's real path, owned by `postgres` with mode 0700 (the
 *     layout of Debian's /var/lib/postgresql); the state directory keeps the
 *     password, the lock and the log, and a `pgdata.location` file naming it.
 *
 * `<home>` is `/var/lib/fluxora`, or `FLUXORA_SERVER_HOME`.
 */

/** DEFAULT_SERVER_HOME is where relocated binaries and clusters go unless FLUXORA_SERVER_HOME says otherwise. */
export const DEFAULT_SERVER_HOME = '/var/lib/fluxora';

/** serverHome resolves the relocation directory from the environment. */
export function serverHome(env: Record<string, string | undefined> = process.env): string {
  return env.FLUXORA_SERVER_HOME || DEFAULT_SERVER_HOME;
}

/** blockedDir returns the first directory on the way to `path` (itself included) that `user` cannot enter, or undefined. */
export async function blockedDir(path: string, user: RunAs): Promise<{ dir: string; mode: number } | undefined> {
  const chain: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const s = await stat(dir).catch(() => undefined);
    if (!s) return undefined; // not there yet: created by us below an enterable parent
    const canEnter =
      (s.mode & 0o001) !== 0 || (s.uid === user.uid && (s.mode & 0o100) !== 0) || (s.gid === user.gid && (s.mode & 0o010) !== 0);
    if (!canEnter) return { dir, mode: s.mode & 0o777 };
  }
  return undefined;
}

/**
 * serverBinaries returns the binaries the server should be started from: `installed`
 * (default: the installed package's), relocated under `home` when `runAs` cannot reach them.
 */
export async function serverBinaries(runAs: RunAs | undefined, home: string, installed?: PostgresBinaries): Promise<PostgresBinaries> {
  const binaries = installed ?? (await postgresBinaries());
  return runAs ? reachableBinaries(binaries, runAs, home) : binaries;
}

/**
 * reachableBinaries returns `binaries` when `user` can reach them, or a copy of
 * their package's `native/` tree under `home` (made once per version, atomically,
 * so concurrent starts agree).
 */
export async function reachableBinaries(binaries: PostgresBinaries, user: RunAs, home: string): Promise<PostgresBinaries> {
  if (!(await blockedDir(dirname(binaries.postgres), user))) return binaries;
  const native = dirname(dirname(binaries.postgres));
  const version = await packageVersion(dirname(native));
  const target = join(home, `postgres-${version}`);
  const relocated = {
    postgres: join(target, 'bin', 'postgres'),
    initdb: join(target, 'bin', 'initdb'),
  };
  if (await exists(relocated.postgres)) return relocated;
  await makeHome(home);
  const staging = `${target}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await cp(native, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await chmod(staging, 0o755);
    await rename(staging, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another process staged the same version first: use its copy.
      if ((err.code === 'ENOTEMPTY' || err.code === 'EEXIST') && (await exists(relocated.postgres))) return;
      throw err;
    });
  } catch (err) {
    throw cannotRelocate(home, 'the PostgreSQL binaries', err);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return relocated;
}

/**
 * clusterDir returns where the cluster of the state directory `dataDir` lives:
 * `<dataDir>/pgdata` when `user` can reach dataDir's parent (dataDir is ours), else a private directory under
 * `home` (recorded in `<dataDir>/pgdata.location`). A cluster already in
 * `<dataDir>/pgdata` stays there.
 */
export async function clusterDir(dataDir: string, user: RunAs | undefined, home: string): Promise<string> {
  const local = join(dataDir, 'pgdata');
  if (!user || (await exists(join(local, 'PG_VERSION'))) || !(await blockedDir(dirname(dataDir), user))) return local;
  const key = createHash('sha256')
    .update(await realpath(dataDir))
    .digest('hex')
    .slice(0, 16);
  const dir = join(home, 'clusters', key);
  try {
    await makeHome(home);
    await mkdir(join(home, 'clusters'), { recursive: true, mode: 0o711 });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chown(dir, user.uid, user.gid);
    await chmod(dir, 0o700);
  } catch (err) {
    throw cannotRelocate(home, 'the PostgreSQL cluster', err);
  }
  const pgdata = join(dir, 'pgdata');
  // The cluster belongs to the state dir: one whose state dir was deleted (its
  // password with it, `--fresh`, `rm -rf .fluxora`) is gone for us too, as it
  // would be had it lived inside.
  if (!(await exists(join(dataDir, 'postgres.password')))) await rm(pgdata, { recursive: true, force: true });
  await writeFile(join(dataDir, 'pgdata.location'), `${pgdata}\n`);
  return pgdata;
}

/** relocatedCluster returns the cluster directory named by `<dataDir>/pgdata.location`, if any. */
export async function relocatedCluster(dataDir: string): Promise<string | undefined> {
  const text = await readFile(join(dataDir, 'pgdata.location'), 'utf8').catch(() => undefined);
  return text?.trim() || undefined;
}

async function packageVersion(dir: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // Not laid out as the npm package: key the copy by the binary itself.
    const s = await stat(join(dir, 'native', 'bin', 'postgres'));
    return `${s.size}-${Math.round(s.mtimeMs)}`;
  }
}

async function makeHome(home: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o755 });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function cannotRelocate(home: string, what: string, err: unknown): Error {
  return new Error(
    `the embedded PostgreSQL runs as the "postgres" system user, which cannot reach this checkout, and ${what} could not be placed in ${home} ` +
      `(${(err as Error).message}): set FLUXORA_SERVER_HOME to a directory root can write and others can enter, or set FLUXORA_DATABASE_URL`,
  );
}
