/**
 * screenshots.ts takes the README's console screenshots from a running
 * console, e.g. the one `npm run demo` prints:
 *
 *   node test/browser/screenshots.ts 'http://127.0.0.1:8090/#token=TOKEN' docs/console
 *
 * It opens every page of the run's resources at 1280 px, and the resources
 * and the ModelDeployment at 375 px, waiting for each page's chart to draw.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Page } from 'puppeteer-core';
import { chromium } from './chromium.ts';

// Page functions run in the browser; the Node type check has no DOM library.
declare const requestAnimationFrame: (callback: () => void) => number;

const ROUTES: Record<string, { route: string; chart?: string }> = {
  TrainingJob: { route: 'trainingjobs', chart: 'loss-chart' },
  ModelDeployment: { route: 'modeldeployments', chart: 'forecast-chart' },
  DriftMonitor: { route: 'driftmonitors', chart: 'drift-chart' },
};

const [url, out] = process.argv.slice(2);
const token = /[#&?]token=([^&]+)/.exec(url ?? '')?.[1];
if (!url || !out || !token) {
  console.error("usage: node test/browser/screenshots.ts 'http://HOST:PORT/#token=TOKEN' OUT_DIR");
  process.exit(2);
}
const base = url.split('#')[0];
await mkdir(out, { recursive: true });
const browser = await puppeteer.launch({ executablePath: chromium(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage();
  const shoot = async (route: string, ready: string, name: string) => {
    await page.goto(`${base}#${route}?token=${token}`, { waitUntil: 'load' });
    await page.waitForSelector(ready, { timeout: 30_000 });
    await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    console.log(`${name}.png: #${route}`);
  };
  const rowsOf = (p: Page) =>
    p.$$eval('[data-testid="resource-row"]', (els) => els.map((e) => ({ kind: e.getAttribute('data-kind') ?? '', namespace: e.getAttribute('data-namespace') ?? '', name: e.getAttribute('data-name') ?? '' })));

  await page.setViewport({ width: 1280, height: 900 });
  await shoot('/', '[data-testid="resource-row"]', 'resources');
  const rows = await rowsOf(page);
  const shown = new Set<string>();
  for (const r of rows) {
    const target = ROUTES[r.kind];
    if (!target || shown.has(r.kind)) continue;
    shown.add(r.kind);
    const ready = target.chart ? `[data-testid="${target.chart}"][data-points]` : '#page-title';
    await shoot(`/${target.route}/${r.namespace}/${r.name}`, ready, r.kind.toLowerCase());
  }
  await shoot('/registry', '[data-testid="registry-model"]', 'registry');

  await page.setViewport({ width: 375, height: 812 });
  await shoot('/', '[data-testid="resource-row"]', 'phone-resources');
  const md = rows.find((r) => r.kind === 'ModelDeployment');
  if (md) await shoot(`/modeldeployments/${md.namespace}/${md.name}`, '[data-testid="forecast-chart"][data-points]', 'phone-modeldeployment');
} finally {
  await browser.close();
}
