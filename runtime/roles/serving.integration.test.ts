import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { datasetSpec } from '../../crds/dataset.ts';
import { driftMonitorSpec } from '../../crds/drift-monitor.ts';
import { featureSetSpec } from '../../crds/feature-set.ts';
import { modelDeploymentSpec } from '../../crds/model-deployment.ts';
import { trainingJobSpec } from '../../crds/training-job.ts';
import { loadTable } from '../data/load.ts';
import { forecastBody } from '../run/replay.ts';
import { createStore, type Store } from '../store/connect.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../store/embedded.ts';
import { silentLogger } from '../store/logger.ts';
import { migrate } from '../store/migrations.ts';
import { seedTestDataDir } from '../../test/support/test-db.ts';
import type { TrainConfig } from '../contract/config.ts';
import { runDrift } from './drift.ts';
import { type Serving, startServing } from './serve.ts';
import { runFinal } from './train.ts';

const exampleDir = new URL('../../examples/energy-forecast/', import.meta.url).pathname;
let dir: string | undefined;
let server: EmbeddedPostgres | undefined;
let store: Store | undefined;
let serving: Serving | undefined;
afterAll(async () => {
  await serving?.close();
  await store?.close().catch(() => undefined);
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('trains, registers, serves over a real port with a real PostgreSQL, and keeps answering when the database goes away', async () => {
  dir = await mkdtemp(join(tmpdir(), 'fluxora-serving-'));
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'state');
  await seedTestDataDir(dataDir);
  const start = (port?: number) => startEmbeddedPostgres({ dataDir, port, persistent: true, durable: false, createPostgresUser: true, logger: silentLogger });
  server = await start();
  const port = server.port;
  store = createStore(server.connectionString, { logger: silentLogger, connectionTimeoutMillis: 2000 });
  await migrate(store.pool, { logger: silentLogger });

  const dataset = { kind: 'Dataset', name: 'grid', namespace: 'ml', spec: datasetSpec.parse({ source: { csv: { path: 'data/grid-load.csv' } }, columns: [{ name: 'load' }, { name: 'temperature' }] }) };
  const fsSpec = featureSetSpec.parse({ datasetRef: { name: 'grid' }, target: 'load', calendar: ['hourOfDay', 'dayOfWeek'], lags: [{ column: 'load', steps: [24, 168] }], covariates: [{ column: 'temperature', availability: 'knownInAdvance' }] });
  const config: TrainConfig = {
    role: 'train',
    dataset,
    featureSet: { kind: 'FeatureSet', name: 'grid', namespace: 'ml', spec: fsSpec },
    trainingJob: {
      kind: 'TrainingJob',
      name: 'grid-linear',
      namespace: 'ml',
      spec: trainingJobSpec.parse({
        featureSetRef: { name: 'grid' },
        model: { algorithm: 'linear', epochs: 3, learningRate: 0.01 },
        candidates: [{ algorithm: 'gbdt', rounds: 30 }, { algorithm: 'seasonalNaive' }],
        ensemble: 'always',
        backtest: { folds: 3, fraction: 0.1 },
        registry: { model: 'grid', alias: 'production' },
      }),
    },
    dataDir: exampleDir,
  };
  const trained = await runFinal(config, { pool: store.pool, log: silentLogger });
  expect(trained.model).toEqual({ name: 'grid', version: 1 });
  expect(trained.metrics.mae).toBeLessThan(trained.baseline.mae);
  expect(trained.backtest.selected).toBe('ensemble(linear+gbdt+seasonalNaive)');
  expect(trained.backtest.folds).toHaveLength(3);
  expect(trained.backtest.candidates.map((c) => c.name)).toEqual(['linear', 'gbdt', 'seasonalNaive', 'ensemble(linear+gbdt+seasonalNaive)']);
  // The plain seasonal-naive candidate is the baseline itself.
  expect(trained.backtest.candidates[2].mase).toBeCloseTo(1, 6);

  const md = { kind: 'ModelDeployment', name: 'grid', namespace: 'ml', spec: modelDeploymentSpec.parse({ model: { name: 'grid', alias: 'production' } }) };
  serving = await startServing({ role: 'serve', deployment: md, model: { name: 'grid', alias: 'production' } }, { pool: store.pool, log: silentLogger, port: 0, host: '127.0.0.1', apiKeys: ['k'] });
  expect(serving.model).toEqual({ name: 'grid', version: 1 });

  const { table } = await loadTable({ format: 'csv', file: join(exampleDir, 'data/grid-load.csv') }, dataset.spec);
  const forecast = (t: number) =>
    fetch(`${serving?.url}/v1/forecast`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify(forecastBody(table, t, 192, 24, fsSpec)),
    });
  const first = await forecast(table.rows - 30);
  expect(first.status).toBe(200);
  const body = (await first.json()) as { forecasts: { value: number; lower: number; upper: number; quantiles: Record<string, number> }[] };
  expect(body.forecasts).toHaveLength(24);
  expect(body.forecasts[0].lower).toBeLessThan(body.forecasts[0].value);
  expect(Object.keys(body.forecasts[0].quantiles)).toEqual(['0.1', '0.5', '0.9']);
  for (const f of body.forecasts) {
    expect(f.quantiles['0.1']).toBeLessThan(f.quantiles['0.9']);
    expect(f.lower).toBeLessThanOrEqual(f.quantiles['0.1']);
  }
  const { futureCovariates: _omitted, ...withoutFuture } = forecastBody(table, table.rows - 30, 192, 24, fsSpec);
  const noFuture = await fetch(`${serving.url}/v1/forecast`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
    body: JSON.stringify(withoutFuture),
  });
  expect(noFuture.status).toBe(400);
  expect(((await noFuture.json()) as { error: string }).error).toMatch(/futureCovariates\.temperature is required/);
  const short = await fetch(`${serving.url}/v1/forecast`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
    body: JSON.stringify(forecastBody(table, table.rows - 30, 20, 24, fsSpec)),
  });
  expect(short.status).toBe(400);
  expect(((await short.json()) as { error: string }).error).toMatch(/needs at least 192/);

  for (let k = 0; k < 40; k++) expect((await forecast(table.rows - 31 - k)).status).toBe(200);
  await serving.flushLog();
  const logged = async () => Number((await store?.pool.query('select count(*)::int as n from prediction_log'))?.rows[0].n);
  expect(await logged()).toBe(41);

  // The database goes away: predictions keep being answered.
  await server.stop();
  for (let k = 0; k < 20; k++) expect((await forecast(table.rows - 100 - k)).status).toBe(200);
  await serving.flushLog();
  server = await start(port);
  for (let k = 0; k < 5; k++) expect((await forecast(table.rows - 200 - k)).status).toBe(200);
  await serving.flushLog();
  expect(await logged()).toBe(46);

  const dm = { kind: 'DriftMonitor', name: 'grid', namespace: 'ml', spec: driftMonitorSpec.parse({ modelDeploymentRef: { name: 'grid' }, minSamples: 30 }) };
  const drift = await runDrift({ role: 'drift', monitor: dm, deployment: md, model: { name: 'grid', version: 1 } }, { pool: store.pool, log: silentLogger });
  expect(drift.samples).toBe(46);
  expect(['Drift', 'NoDrift']).toContain(drift.result);
  expect(drift.features.map((f) => f.name)).toContain('temperature_s1');
});
