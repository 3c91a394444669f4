import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from './logger.ts';
import { acquireStateLock, lockHolderAlive, readStateLock } from './state-lock.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fluxora-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state-dir lock', () => {
  it('lets exactly one of several concurrent acquirers win', async () => {
    const path = join(dir, 'a.lock');
    const attempts = await Promise.all([1, 2, 3, 4, 5].map(() => acquireStateLock(path, silentLogger)));
    const winners = attempts.filter((a) => 'lock' in a);
    expect(winners).toHaveLength(1);
    for (const a of attempts) if ('heldBy' in a) expect(a.heldBy.pid).toBe(process.pid);
    const held = winners[0];
    if (!('lock' in held)) throw new Error('unreachable');
    await held.lock.update({ state: 'ready', port: 5555 });
    expect(await readStateLock(path)).toMatchObject({ pid: process.pid, state: 'ready', port: 5555 });
    await held.lock.release();
    expect(await readStateLock(path)).toBeUndefined();
    expect('lock' in (await acquireStateLock(path, silentLogger))).toBe(true);
  });

  it('takes over a lock whose holder is gone or whose pid was reused', async () => {
    const dead = Number.parseInt(spawnSync('sh', ['-c', 'echo $$']).stdout.toString(), 10);
    const path = join(dir, 'b.lock');
    await writeFile(path, JSON.stringify({ pid: dead, state: 'ready', acquiredAt: '' }));
    expect(lockHolderAlive((await readStateLock(path))!)).toBe(false);
    const a = await acquireStateLock(path, silentLogger);
    expect('lock' in a).toBe(true);
    if ('lock' in a) await a.lock.release();

    // our own pid, but another process start time: a pid reused after a restart
    await writeFile(path, JSON.stringify({ pid: process.pid, startTicks: 1, state: 'ready', acquiredAt: '' }));
    const b = await acquireStateLock(path, silentLogger);
    expect('lock' in b).toBe(true);
    expect(JSON.parse(await readFile(path, 'utf8')).startTicks).not.toBe(1);
  });

  it('does not release a lock that is no longer its own', async () => {
    const path = join(dir, 'c.lock');
    const a = await acquireStateLock(path, silentLogger);
    if (!('lock' in a)) throw new Error('expected the lock');
    await writeFile(path, JSON.stringify({ pid: 1, state: 'ready', acquiredAt: '' }));
    await a.lock.release();
    expect((await readStateLock(path))?.pid).toBe(1);
  });
});
