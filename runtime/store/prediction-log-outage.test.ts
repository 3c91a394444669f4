import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createStore, type Store } from './connect.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.ts';
import { silentLogger, type StoreLogger } from './logger.ts';
import { migrate } from './migrations.ts';
import { PredictionLogWriter } from './prediction-log.ts';
import { seedTestDataDir } from '../../test/support/test-db.ts';

// This file owns its server: it stops and restarts it under a running writer.
let dir: string | undefined;
let server: EmbeddedPostgres | undefined;
let store: Store | undefined;
afterAll(async () => {
  await store?.close().catch(() => undefined);
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('survives the database going away mid-run and resumes when it is back', async () => {
  dir = await mkdtemp(join(tmpdir(), 'fluxora-outage-'));
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'state');
  await seedTestDataDir(dataDir);
  const start = (port?: number) =>
    startEmbeddedPostgres({ dataDir, port, persistent: true, durable: false, createPostgresUser: true, logger: silentLogger });
  server = await start();
  const port = server.port;

  const warns: string[] = [];
  const infos: string[] = [];
  const log: StoreLogger = { debug() {}, info: (_o, m) => infos.push(m), warn: (_o, m) => warns.push(m), error: (_o, m) => warns.push(m) };
  store = createStore(server.connectionString, { logger: silentLogger, connectionTimeoutMillis: 2000 });
  await migrate(store.pool, { logger: silentLogger });
  const writer = new PredictionLogWriter(store.pool, { capacity: 500, batchSize: 50, flushIntervalMs: 20, logger: log });
  const row = { model: 'outage', version: 1, features: [1, 2], featureNames: ['a', 'b'], outputs: [3] };

  for (let i = 0; i < 120; i++) writer.add(row);
  await writer.flush();
  expect(writer.counters).toMatchObject({ written: 120, dropped: 0 });

  // The database goes away.
  await server.stop();
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 100; i++) expect(() => writer.add(row)).not.toThrow();
    await new Promise((r) => setTimeout(r, 60)); // let the timer try (and fail) a few times
  }
  await writer.flush();
  const during = writer.counters;
  expect(during.written).toBe(120);
  expect(during.dropped).toBe(500);
  expect(during.pending).toBe(0);
  expect(during.failedFlushes).toBeGreaterThanOrEqual(5);
  expect(warns).toEqual(['prediction log flush failed: dropping batches until the database is back']); // once per outage

  // It comes back on the same data dir and port; the pool reconnects and the writer resumes.
  server = await start(port);
  expect(server.initialised).toBe(false);
  for (let i = 0; i < 80; i++) writer.add(row);
  await writer.flush();
  expect(writer.counters).toMatchObject({ written: 200, dropped: 500, pending: 0 });
  expect(infos).toEqual(['prediction log writes resumed']);
  const count = await store.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM prediction_log WHERE model = 'outage'");
  expect(count.rows[0].n).toBe(200);

  // A second outage is reported again, once.
  await server.stop();
  for (let i = 0; i < 60; i++) writer.add(row);
  await writer.flush();
  expect(warns).toHaveLength(2);
  server = await start(port);
  const final = await writer.close(2000);
  expect(final.written + final.dropped).toBe(120 + 500 + 80 + 60);
});
