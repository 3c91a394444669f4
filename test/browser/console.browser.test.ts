import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidatedManifest } from '../../crds/validate.ts';
import { buildConsole } from '../../runtime/console/build.ts';
import { ApiKeyAuth } from '../../runtime/console/auth.ts';
import { type ConsoleServer, startConsole } from '../../runtime/console/server.ts';
import { registerModel } from '../../runtime/registry/registry.ts';
import { recordTrial } from '../../runtime/registry/trials.ts';
import { silentLogger } from '../../runtime/roles/logger.ts';
import { RunConsoleSource } from '../../runtime/run/console-source.ts';
import { RunState } from '../../runtime/run/state.ts';
import { recordDriftResult } from '../../runtime/store/drift-results.ts';
import { EpochRecorder, FINAL_TRIAL, studyOf } from '../../runtime/store/training-epochs.ts';
import { forecastTrace } from '../../runtime/training/trace.ts';
import { withTestDatabase } from '../support/test-db.ts';
import { chromium } from './chromium.ts';

/**
 * The console in a real headless Chromium (Debian's `chromium`, driven by
 * puppeteer-core: no browser download) against the real console server, a
 * real PostgreSQL and a run's state. Without a browser this fails, saying how
 * to install one. The README's
 * screenshots come from `npm run demo` through test/browser/screenshots.ts.
 */

// Page functions run in the browser; the Node type check has no DOM library, so the little they touch is declared here.
interface BrowserElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  querySelector(selector: string): BrowserElement | null;
}
declare const document: { documentElement: { scrollWidth: number; clientWidth: number }; body: { textContent: string | null }; querySelector(selector: string): BrowserElement | null };
declare const sessionStorage: { clear(): void };
declare const location: { hash: string };

const H = 48;
const HALF_HOUR = 1_800_000;
const EPOCHS = 30;
const FOLDS = 3;
const DRIFT_RUNS = 6;
const manifest = (kind: string, name: string, spec: object) => ({ kind, name, namespace: 'energy', spec }) as ValidatedManifest;

/** A held-out forecast trace built by the training code from a daily-cycle series: 7 origins of 48 steps. */
function trace() {
  const samples = 400;
  const targetTimes = new Float64Array(samples * H);
  const actual = new Float32Array(samples * H);
  const predicted = new Float32Array(samples * H);
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  for (let i = 0; i < samples; i++) {
    for (let s = 0; s < H; s++) {
      const k = i * H + s;
      targetTimes[k] = t0 + (i + s + 1) * HALF_HOUR;
      const phase = ((i + s + 1) % H) / H;
      actual[k] = 5000 + 1200 * Math.sin(2 * Math.PI * phase) + 150 * Math.sin(k);
      predicted[k] = 5000 + 1150 * Math.sin(2 * Math.PI * phase);
    }
  }
  return forecastTrace({
    horizon: H,
    targetTimes,
    from: 0,
    to: samples,
    actual,
    predicted,
    calibration: { lower: Array(H).fill(-300), upper: Array(H).fill(300) },
    coverage: 0.9,
  });
}

describe('web console in a real browser', () => {
  const db = withTestDatabase();
  const token = 'browser-test-token';
  let state: RunState;
  let server: ConsoleServer;
  let browser: Browser;
  let assets: string;

  beforeAll(async () => {
    const executablePath = chromium();
    assets = await mkdtemp(join(tmpdir(), 'fluxora-console-ui-'));
    await buildConsole(assets);
    state = new RunState(
      [
        manifest('Dataset', 'grid-load', {}),
        manifest('FeatureSet', 'grid-load', {}),
        manifest('TrainingJob', 'grid-load-mlp-with-a-long-name-to-wrap', { horizon: H }),
        manifest('ModelDeployment', 'grid-load', {}),
        manifest('DriftMonitor', 'grid-load', { modelDeploymentRef: { name: 'grid-load' } }),
      ],
      'browser1',
    );
    const tj = state.get('TrainingJob', 'energy', 'grid-load-mlp-with-a-long-name-to-wrap');
    state.setStatus(state.get('Dataset', 'energy', 'grid-load'), { state: 'Ready', reason: 'Profiled', message: 'profiled' }, { phase: 'Ready', rows: 17_520, rejectedRows: 0, version: 'sha256-0f3c9a2e' });
    state.setStatus(state.get('FeatureSet', 'energy', 'grid-load'), { state: 'Ready', reason: 'Resolved', message: 'resolved' }, { featureCount: 41, version: 'fs-7d21' });
    state.setStatus(tj, { state: 'Progressing', reason: 'Training', message: 'fold 2 of 3' }, { phase: 'Running' });
    state.setStatus(state.get('ModelDeployment', 'energy', 'grid-load'), { state: 'Ready', reason: 'Serving', message: '1/1 replicas' }, {
      model: { name: 'grid-load', version: 1 },
      replicas: 1,
      readyReplicas: 1,
      url: 'http://127.0.0.1:8080',
    });
    state.setStatus(state.get('DriftMonitor', 'energy', 'grid-load'), { state: 'Ready', reason: 'NoDrift', message: 'NoDrift: 250 samples' }, { result: 'NoDrift', samples: 250, driftedShare: 0 });

    const study = studyOf('energy', tj.name, tj.uid);
    const epochs = new EpochRecorder(db.pool, study, silentLogger);
    for (const trial of [0, 1, FINAL_TRIAL]) {
      for (let e = 1; e <= EPOCHS; e++) epochs.add(trial, trial === FINAL_TRIAL ? 'mlp final fit' : 'mlp fold 1', e, 1 / (e + trial + 2), 1.2 / (e + trial + 2) + 0.01);
    }
    await epochs.flush();
    await recordTrial(db.pool, { study, trial: 0, params: { learningRate: 0.003, hiddenUnits: 64 }, status: 'completed', metrics: { mae: 151.2 } });
    await recordTrial(db.pool, { study, trial: 1, params: { learningRate: 0.01, hiddenUnits: 32 }, status: 'completed', metrics: { mae: 163.9 } });
    const artifact = { format: 'test', weightData: new Uint8Array(8), pipeline: {}, conformal: {}, profile: {}, horizon: H, inputNames: ['lag_48'] };
    await registerModel(db.pool, { name: 'grid-load', artifact, alias: 'production', evaluation: { forecast: trace() }, metrics: { mae: 142.1, mase: 0.62, intervalCoverage: 0.897 }, trainingJob: `energy/${tj.name}` });
    for (let r = 0; r < DRIFT_RUNS; r++) {
      await recordDriftResult(db.pool, {
        monitor: 'energy/grid-load',
        model: 'grid-load',
        version: 1,
        ranAt: new Date(Date.parse('2026-11-20T00:00:00Z') + r * 86_400_000),
        result: {
          result: r === DRIFT_RUNS - 1 ? 'Drift' : 'NoDrift',
          driftedShare: r === DRIFT_RUNS - 1 ? 0.5 : 0,
          samples: 250,
          features: ['lag_48', 'temperature', 'hour_sin'].map((name, f) => ({ name, method: 'psi', score: 0.02 * (r + 1) * (f + 1), threshold: 0.2, drifted: 0.02 * (r + 1) * (f + 1) > 0.2 })),
        },
      });
    }
    server = await startConsole({ source: new RunConsoleSource(state, db.pool, []), auth: new ApiKeyAuth([token]), assetsDir: assets, log: silentLogger, port: 0, host: '127.0.0.1', debounceMs: 20 });
    browser = await puppeteer.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (assets) await rm(assets, { recursive: true, force: true });
  });

  /** open loads a console page at a viewport width and collects the page's errors. */
  async function open(route: string, width: number): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await page.setViewport({ width, height: width < 500 ? 800 : 900 });
    await page.goto(`${server.url}/#${route}${route.includes('?') ? '&' : '?'}token=${token}`, { waitUntil: 'load' });
    return { page, errors };
  }

  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const chart = async (page: Page, id: string) => {
    const el = await page.waitForSelector(`[data-testid="${id}"][data-points]`, { timeout: 15_000 });
    return el!.evaluate((e) => ({ points: Number((e as unknown as BrowserElement).dataset.points), series: Number((e as unknown as BrowserElement).dataset.series), canvas: e.querySelector('canvas') !== null }));
  };

  it('lists every resource, and shows a condition change without a reload', async () => {
    const { page, errors } = await open('/', 1280);
    await page.waitForSelector('[data-testid="resource-row"]');
    const rows = await page.$$eval('[data-testid="resource-row"]', (els) => els.map((e) => `${e.getAttribute('data-kind')}/${e.getAttribute('data-name')}:${e.getAttribute('data-ready')}`));
    expect(rows).toEqual([
      'Dataset/grid-load:True',
      'FeatureSet/grid-load:True',
      'TrainingJob/grid-load-mlp-with-a-long-name-to-wrap:False',
      'ModelDeployment/grid-load:True',
      'DriftMonitor/grid-load:True',
    ]);
    // The token left the address bar once saved.
    expect(page.url()).not.toContain(token);
    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.textContent?.includes('live'));
    const tj = '[data-testid="resource-row"][data-kind="TrainingJob"]';
    expect(await page.$eval(`${tj} [data-testid="resource-reason"]`, (e) => e.textContent)).toContain('Training');
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));

    const trained = state.get('TrainingJob', 'energy', 'grid-load-mlp-with-a-long-name-to-wrap');
    state.setStatus(trained, { state: 'Ready', reason: 'Succeeded', message: 'registered grid-load version 1' }, {
      phase: 'Succeeded',
      model: { name: 'grid-load', version: 1 },
      metrics: { mae: 142.1, rmse: 190.3, mape: 2.9, smape: 2.8, mase: 0.62, r2: 0.93, intervalCoverage: 0.897 },
      baseline: { method: 'seasonal-naive', mae: 229.4 },
      backtest: {
        selected: 'mlp',
        folds: Array.from({ length: FOLDS }, (_, k) => ({ fold: k + 1, from: `2026-10-0${k + 1}T00:00:00Z`, to: `2026-10-0${k + 2}T00:00:00Z`, samples: 480, mae: 140 + k, smape: 2.8, mase: 0.6 + k / 100, baselineMae: 230, intervalCoverage: 0.9 })),
        candidates: [{ name: 'mlp', mae: 142.1, mase: 0.62, intervalCoverage: 0.897 }, { name: 'gbdt', mae: 150.3, mase: 0.66 }],
      },
    });
    await page.waitForSelector(`${tj}[data-ready="True"]`, { timeout: 10_000 });
    expect(await page.$eval(`${tj} [data-testid="resource-reason"]`, (e) => e.textContent)).toContain('Succeeded');
    expect(navigations).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plots the forecast with its interval against the observed load, one point per target', async () => {
    const { page, errors } = await open('/modeldeployments/energy/grid-load', 1280);
    const plot = await chart(page, 'forecast-chart');
    const expected = trace().timestamps.length;
    expect(expected).toBe(336);
    expect(plot).toEqual({ points: expected, series: 4, canvas: true });
    expect(await page.evaluate(() => document.body.textContent)).toMatch(/90% interval/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the TrainingJob curves per trial and its backtest table', async () => {
    const { page, errors } = await open('/trainingjobs/energy/grid-load-mlp-with-a-long-name-to-wrap', 1280);
    const loss = await chart(page, 'loss-chart');
    expect(loss.points).toBe(EPOCHS);
    expect(loss.canvas).toBe(true);
    const folds = await page.$$eval('[data-testid="backtest-table"] tbody tr', (trs) => trs.length);
    expect(folds).toBe(FOLDS);
    const text = await page.evaluate(() => document.body.textContent);
    expect(text).toContain('trial 1');
    expect(text).toContain('229');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plots per-feature drift scores over time and lists the registry with where each version serves', async () => {
    const { page, errors } = await open('/driftmonitors/energy/grid-load', 1280);
    const drift = await chart(page, 'drift-chart');
    expect(drift.points).toBe(DRIFT_RUNS);
    expect(drift.series).toBeGreaterThanOrEqual(3);
    await page.goto(`${server.url}/#/registry`);
    await page.waitForSelector('[data-testid="registry-version"]');
    expect(await page.$$eval('[data-testid="registry-model"]', (els) => els.length)).toBe(1);
    const version = await page.$eval('[data-testid="registry-version"]', (e) => (e as unknown as BrowserElement).textContent);
    expect(version).toContain('production');
    expect(version).toContain('grid-load');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a 375 px phone on every page: no horizontal scrolling', async () => {
    for (const route of ['/', '/trainingjobs/energy/grid-load-mlp-with-a-long-name-to-wrap', '/modeldeployments/energy/grid-load', '/driftmonitors/energy/grid-load', '/registry']) {
      const { page, errors } = await open(route, 375);
      await page.waitForFunction(() => !(document.body.textContent ?? '').includes('Loading'), { timeout: 15_000 });
      if (route.includes('modeldeployments')) await chart(page, 'forecast-chart');
      expect({ route, overflow: await overflow(page) }).toEqual({ route, overflow: 0 });
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('asks for a token without one, and says why a wrong one is refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${server.url}/#/?token=wrong`);
    await page.reload();
    await page.waitForSelector('[data-testid="token-form"]', { timeout: 10_000 });
    expect(await page.evaluate(() => document.body.textContent)).toMatch(/Invalid token/);
    await page.type('[data-testid="token-form"] input', token);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="resource-row"]', { timeout: 10_000 });
    await page.close();
  });

  it('signs in with a token link opened in a tab already showing the console, and takes the token out of the address', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.waitForSelector('[data-testid="token-form"]', { timeout: 10_000 });
    // Only the fragment changes: no reload, the running app takes the token.
    await page.evaluate((t) => {
      location.hash = `#/registry?token=${t}`;
    }, token);
    await page.waitForSelector('[data-testid="registry-model"]', { timeout: 10_000 });
    expect(await page.evaluate(() => location.hash)).toBe('#/registry');
    await page.close();
  });
});
