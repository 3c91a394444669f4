import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPorts, claimStateDir, PreflightError, RUN_LOCK } from './preflight.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fluxora-preflight-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen({ host: '127.0.0.1', port: 0 }, done));
  return { server, port: (server.address() as { port: number }).port };
}

const cli = join(import.meta.dirname, '..', '..', 'bin', 'fluxora.mjs');
const example = join(import.meta.dirname, '..', '..', 'examples', 'energy-forecast');

/** Runs `fluxora run` on the example with extra args; resolves to its exit code and output. */
function fluxoraRun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, 'run', '-f', example, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('claimStateDir', () => {
  it('creates the dir, holds its lock, and refuses a second run until released', async () => {
    const dir = join(root, 'a', 'state');
    const lock = await claimStateDir(dir, { fresh: false });
    expect((await stat(join(dir, RUN_LOCK))).isFile()).toBe(true);
    await expect(claimStateDir(dir, { fresh: false })).rejects.toThrow(
      new RegExp(`another fluxora run \\(pid ${process.pid}\\) is using the state directory .*--state-dir`),
    );
    await lock.release();
    const again = await claimStateDir(dir, { fresh: false });
    await again.release();
  });

  it('with fresh empties the dir, but never one that another run holds', async () => {
    const dir = join(root, 'b');
    const lock = await claimStateDir(dir, { fresh: false });
    await writeFile(join(dir, 'model.json'), '{}');
    await expect(claimStateDir(dir, { fresh: true })).rejects.toBeInstanceOf(PreflightError);
    expect(await readdir(dir)).toContain('model.json'); // nothing lost
    await lock.release();
    const fresh = await claimStateDir(dir, { fresh: true });
    expect(await readdir(dir)).toEqual([RUN_LOCK]);
    await fresh.release();
  });

  it('says a state dir cannot be created, with the reason and what to do', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    await expect(claimStateDir(join(file, 'state'), { fresh: false })).rejects.toThrow(
      /^cannot create the state directory .*a-file\/state \(ENOTDIR: not a directory\): pass --state-dir DIR/,
    );
  });
});

describe('checkPorts', () => {
  it('passes free ports and port 0, and names a taken port with what to do', async () => {
    const { server, port } = await listening();
    try {
      await expect(checkPorts('127.0.0.1', 0, 3)).resolves.toBeUndefined();
      await expect(checkPorts('127.0.0.1', port, 1)).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
      await expect(checkPorts('127.0.0.1', port - 1, 2)).rejects.toThrow(/pass --port N/);
    } finally {
      server.close();
    }
    await expect(checkPorts('127.0.0.1', port, 1)).resolves.toBeUndefined();
  });
});

describe('fluxora run stops at once with one line', () => {
  it('on a port already in use, before it trains anything', async () => {
    const { server, port } = await listening();
    try {
      const state = join(root, 'port-state');
      const r = await fluxoraRun(['--serve', '--port', String(port), '--state-dir', state]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`fluxora run: port ${port} on 127.0.0.1 is already in use (another fluxora run --serve?): stop what uses it, or pass --port N (0 picks free ports)`]);
      await expect(stat(state)).rejects.toThrow(); // nothing created
    } finally {
      server.close();
    }
  });

  it('on a state dir another run is using, and leaves its files alone', async () => {
    const state = join(root, 'busy-state');
    const lock = await claimStateDir(state, { fresh: false });
    await writeFile(join(state, 'keep'), 'x');
    try {
      const r = await fluxoraRun(['--fresh', '--state-dir', state]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`fluxora run: another fluxora run (pid ${process.pid}) is using the state directory ${state}`);
      expect((await readdir(state)).sort()).toEqual(['keep', RUN_LOCK]);
    } finally {
      await lock.release();
    }
  });

  it('on a state dir it cannot create', async () => {
    const file = join(root, 'not-a-dir');
    await writeFile(file, 'x');
    const r = await fluxoraRun(['--state-dir', join(file, 'state')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^fluxora run: cannot create the state directory .* \(ENOTDIR: not a directory\)/)]);
  });
});
