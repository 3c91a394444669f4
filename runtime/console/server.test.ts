import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTestDatabase } from '../../test/support/test-db.ts';
import type { ValidatedManifest } from '../../crds/validate.ts';
import { registerModel } from '../registry/registry.ts';
import { recordTrial } from '../registry/trials.ts';
import { silentLogger } from '../roles/logger.ts';
import { RunConsoleSource } from '../run/console-source.ts';
import { RunState } from '../run/state.ts';
import { recordDriftResult } from '../store/drift-results.ts';
import { EpochRecorder, FINAL_TRIAL, studyOf } from '../store/training-epochs.ts';
import type { DriftMonitorView, ModelDeploymentView, RegistryView, ResourcesResponse, TrainingJobView } from './api.ts';
import { ApiKeyAuth } from './auth.ts';
import { type ConsoleServer, startConsole } from './server.ts';

const manifest = (kind: string, name: string, spec: object) => ({ kind, name, namespace: 'default', spec }) as ValidatedManifest;

const TRACE = {
  coverage: 0.9,
  timestamps: ['2026-01-01T00:00:00.000Z', '2026-01-01T00:30:00.000Z', '2026-01-01T01:00:00.000Z'],
  observed: [10, 11, 12],
  forecast: [10.5, 11, 11.5],
  lower: [9, 10, 10],
  upper: [12, 12, 13],
};

describe('console server (real PostgreSQL, a run state)', () => {
  const db = withTestDatabase();
  let state: RunState;
  let server: ConsoleServer;
  let assets: string;
  const token = 'console-test-token';
  const get = (path: string, key: string | null = token) => fetch(`${server.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  beforeAll(async () => {
    state = new RunState(
      [
        manifest('DriftMonitor', 'load-drift', { modelDeploymentRef: { name: 'load' } }),
        manifest('Dataset', 'demand', {}),
        manifest('TrainingJob', 'load-model', { horizon: 3 }),
        manifest('ModelDeployment', 'load', {}),
      ],
      'run1',
    );
    assets = await mkdtemp(join(tmpdir(), 'fluxora-console-assets-'));
    await writeFile(join(assets, 'index.html'), '<!doctype html><title>console</title><script src="./app.js"></script>');
    await writeFile(join(assets, 'app.js'), 'console.log(1)');
    const auth = new ApiKeyAuth([token]);
    auth.add('deployment-key');
    server = await startConsole({ source: new RunConsoleSource(state, db.pool, []), auth, assetsDir: assets, log: silentLogger, port: 0, host: '127.0.0.1', debounceMs: 10 });
  });
  afterAll(async () => {
    await server?.close();
    await rm(assets, { recursive: true, force: true });
  });

  it('answers 401 with a message without a token or with a wrong one, and accepts the deployments keys too', async () => {
    const none = await get('/api/v1/resources', null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as { error: string }).error).toMatch(/Missing token/);
    const wrong = await get('/api/v1/resources', 'nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'Invalid token' });
    expect((await get('/api/v1/resources', 'deployment-key')).status).toBe(200);
  });

  it('lists resources in pipeline order with their Ready condition', async () => {
    state.setStatus(state.get('Dataset', 'default', 'demand'), { state: 'Ready', reason: 'Profiled', message: 'ok' }, { rows: 10, rejectedRows: 0, version: 'v1', phase: 'Ready' });
    const body = (await (await get('/api/v1/resources')).json()) as ResourcesResponse;
    expect(body.mode).toBe('local');
    expect(body.resources.map((r) => `${r.kind}/${r.name}`)).toEqual(['Dataset/demand', 'TrainingJob/load-model', 'ModelDeployment/load', 'DriftMonitor/load-drift']);
    expect(body.resources[0]).toMatchObject({ ready: 'True', reason: 'Profiled', phase: 'Ready', details: '10 rows, 0 rejected, version v1' });
    expect(body.resources[1]).toMatchObject({ ready: 'Unknown', conditions: [] });
    expect(body.resources[0].createdAt).toBe(state.createdAt);
  });

  it('streams the list on connect and again after a status change', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/v1/watch`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const nextEvent = async (): Promise<ResourcesResponse> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith('event: resources')) return JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    };
    const first = await nextEvent();
    expect(first.resources.find((r) => r.kind === 'TrainingJob')?.ready).toBe('Unknown');
    state.setStatus(state.get('TrainingJob', 'default', 'load-model'), { state: 'Progressing', reason: 'Training', message: 'fold 1' }, { phase: 'Running' });
    const second = await nextEvent();
    expect(second.resources.find((r) => r.kind === 'TrainingJob')).toMatchObject({ ready: 'False', reason: 'Training', phase: 'Running' });
    controller.abort();
  });

  it('shows a TrainingJob with its recorded curves, trials and backtest', async () => {
    const study = studyOf('default', 'load-model', 'run1');
    const rec = new EpochRecorder(db.pool, study, silentLogger);
    for (let e = 1; e <= 3; e++) rec.add(0, 'mlp fold 1', e, 1 / e, 2 / e);
    rec.add(FINAL_TRIAL, 'mlp final fit', 1, 0.5, Number.NaN);
    await rec.flush();
    await recordTrial(db.pool, { study, trial: 0, params: { learningRate: 0.01 }, status: 'completed', metrics: { mae: 3 } });
    const tj = state.get('TrainingJob', 'default', 'load-model');
    state.setStatus(tj, { state: 'Ready', reason: 'Succeeded', message: 'registered' }, {
      model: { name: 'load', version: 1 },
      metrics: { mae: 2, mase: 0.8 },
      baseline: { method: 'seasonal-naive', mae: 2.5 },
      backtest: { selected: 'mlp', folds: [{ fold: 1, from: 'a', to: 'b', samples: 10, mae: 2, smape: 4, mase: 0.8, baselineMae: 2.5, intervalCoverage: 0.9 }], candidates: [{ name: 'mlp', mae: 2, mase: 0.8 }] },
    });
    const view = (await (await get('/api/v1/trainingjobs/default/load-model')).json()) as TrainingJobView;
    expect(view.horizon).toBe(3);
    expect(view.model).toEqual({ name: 'load', version: 1 });
    expect(view.curves).toEqual([
      { trial: 0, stage: 'mlp fold 1', points: [{ epoch: 1, loss: 1, valLoss: 2 }, { epoch: 2, loss: 0.5, valLoss: 1 }, { epoch: 3, loss: 1 / 3, valLoss: 2 / 3 }] },
      { trial: null, stage: 'mlp final fit', points: [{ epoch: 1, loss: 0.5, valLoss: null }] },
    ]);
    expect(view.trials).toMatchObject([{ trial: 0, status: 'completed', params: { learningRate: 0.01 }, metrics: { mae: 3 } }]);
    expect(view.backtest?.folds[0]).toMatchObject({ fold: 1, mae: 2, baselineMae: 2.5 });
    expect(view.backtest?.baseline).toEqual({ method: 'seasonal-naive', mae: 2.5 });
  });

  it('answers 404 with the resource named for an unknown one', async () => {
    const res = await get('/api/v1/trainingjobs/default/missing');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'TrainingJob default/missing not found' });
  });

  it('shows a ModelDeployment with the served version held-out forecast, and why traffic is missing', async () => {
    const artifact = { format: 'test', weightData: new Uint8Array([1, 2]), pipeline: {}, conformal: {}, profile: {}, horizon: 3, inputNames: ['a'] };
    await registerModel(db.pool, { name: 'load', artifact, evaluation: { forecast: TRACE }, alias: 'production', trainingJob: 'default/load-model' });
    await registerModel(db.pool, { name: 'load', artifact });
    state.setStatus(state.get('ModelDeployment', 'default', 'load'), { state: 'Ready', reason: 'Serving', message: 'ok' }, { model: { name: 'load', version: 1 }, replicas: 1, readyReplicas: 1, url: 'http://x' });
    const view = (await (await get('/api/v1/modeldeployments/default/load')).json()) as ModelDeploymentView;
    expect(view.forecast).toEqual(TRACE);
    expect(view.replicas).toEqual({ desired: 1, ready: 1 });
    expect(view.traffic).toBeNull();
    expect(view.trafficUnavailable).toBe('no serving pod is Ready');

    state.setStatus(state.get('ModelDeployment', 'default', 'load'), { state: 'Ready', reason: 'Serving', message: 'ok' }, { model: { name: 'load', version: 2 } });
    const v2 = (await (await get('/api/v1/modeldeployments/default/load')).json()) as ModelDeploymentView;
    expect(v2.forecast).toBeNull();
    expect(v2.forecastUnavailable).toMatch(/version 2 of load has no held-out forecast/);
  });

  it('shows a DriftMonitor runs oldest first with every feature', async () => {
    const run = (ranAt: string, score: number, extra: object[] = []) =>
      recordDriftResult(db.pool, {
        monitor: 'default/load-drift',
        model: 'load',
        version: 1,
        ranAt: new Date(ranAt),
        result: { result: score > 0.2 ? 'Drift' : 'NoDrift', driftedShare: score > 0.2 ? 1 : 0, samples: 100, features: [{ name: 'lag_1', method: 'psi', score, threshold: 0.2, drifted: score > 0.2 }, ...extra] },
      });
    await run('2026-01-02T00:00:00Z', 0.3, [{ name: 'temp', method: 'ks', score: 0.1, threshold: 0.2, drifted: false }]);
    await run('2026-01-01T00:00:00Z', 0.05);
    await recordDriftResult(db.pool, { monitor: 'other/load-drift', model: 'load', result: { result: 'NoDrift', features: [] } });
    const view = (await (await get('/api/v1/driftmonitors/default/load-drift')).json()) as DriftMonitorView;
    expect(view.runs.map((r) => [r.ranAt, r.result])).toEqual([
      ['2026-01-01T00:00:00.000Z', 'NoDrift'],
      ['2026-01-02T00:00:00.000Z', 'Drift'],
    ]);
    expect(view.features).toEqual(['lag_1', 'temp']);
    expect(view.runs[1].features[0]).toEqual({ name: 'lag_1', method: 'psi', score: 0.3, threshold: 0.2, drifted: true });
  });

  it('lists the registry with aliases and which deployment serves which version', async () => {
    const view = (await (await get('/api/v1/registry')).json()) as RegistryView;
    const load = view.models.find((m) => m.name === 'load');
    expect(load?.aliases).toEqual({ production: 1 });
    expect(load?.versions.map((v) => [v.version, v.aliases, v.servedBy.map((s) => s.name)])).toEqual([
      [1, ['production'], []],
      [2, [], ['load']],
    ]);
    expect(load?.versions[0].trainingJob).toBe('default/load-model');
  });

  it('serves the built app with security headers, and only GETs', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('./app.js');
    expect((await fetch(`${server.url}/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    const post = await fetch(`${server.url}/api/v1/resources`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(post.status).toBe(404);
  });

  it('explains how to build the app when it is not built, and still serves the API', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'fluxora-console-empty-'));
    const bare = await startConsole({ source: new RunConsoleSource(state, db.pool, []), auth: new ApiKeyAuth([token]), assetsDir: empty, log: silentLogger, port: 0, host: '127.0.0.1' });
    try {
      const page = await fetch(`${bare.url}/`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm run build');
      expect((await fetch(`${bare.url}/api/v1/resources`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
