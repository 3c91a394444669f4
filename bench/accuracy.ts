/**
 * Forecast accuracy on real data the project never ships: Victoria's hourly
 * electricity demand (../shared/data/vic_elec_hourly.csv, 2012-2014), horizon
 * 24, through the same fitForecaster a TrainingJob runs. Every algorithm is
 * backtested on rolling origins (5 folds over the last 15% of the samples, each
 * fold's models refitted on the data before it) and so is their ensemble. The
 * measured temperature is an *observed* covariate: it enters only through its
 * lags and past rolling window, never its future values (no oracle).
 *
 * Prints a table (MAE, ratio to seasonal-naive, 90% interval coverage per
 * candidate) and ends with ONE JSON line: {"bench":"accuracy", ...}. The
 * baseline is the weekly seasonal-naive forecast on the same forecasts.
 * Skips (exit 0, one line) when ../shared/data is absent.
 *
 * Run: npm run bench:accuracy  (FOLDS=5 FRACTION=0.15 to change the backtest)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../crds/training-job.ts';
import { loadTable } from '../runtime/data/load.ts';
import type { FeatureSpec } from '../runtime/features/spec.ts';
import { initBackend } from '../runtime/models/backend.ts';
import { fitForecaster } from '../runtime/training/fit.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '..', '..', 'shared', 'data');
const csv = join(dataDir, 'vic_elec_hourly.csv');
if (!existsSync(csv)) {
  console.log(`bench:accuracy skipped: ${csv} is absent (it is not part of the repository)`);
  process.exit(0);
}

/** BENCH_FEATURES is the FeatureSet the example pipeline uses, with Victoria's holidays. */
export function benchFeatures(holidays: string[]): FeatureSpec {
  return {
    target: 'load',
    calendar: ['hourOfDay', 'dayOfWeek', 'dayOfYear', 'holiday', 'weekend'],
    holidays: { dates: holidays },
    lags: [
      { column: 'load', steps: [1, 2, 3, 24, 48, 168] },
      { column: 'temperature', steps: [1, 24] },
    ],
    rolling: [
      { column: 'load', windows: [24, 168], stats: ['mean', 'std'] },
      { column: 'temperature', windows: [24], stats: ['mean', 'max'] },
    ],
    covariates: [{ column: 'temperature', availability: 'observed' }],
  };
}

const MODELS: ModelSpec[] = [
  { algorithm: 'gbdt' },
  { algorithm: 'mlp', hiddenUnits: [64], epochs: 40, batchSize: 128, learningRate: 0.001, dropout: 0.1 },
  { algorithm: 'linear', epochs: 40, batchSize: 128, learningRate: 0.003 },
  { algorithm: 'seasonalNaive', levelCorrected: true },
];

const started = performance.now();
const backend = await initBackend();
const holidays = readFileSync(join(dataDir, 'vic_elec_holidays.csv'), 'utf8').trim().split('\n').slice(1);
const { table } = await loadTable(
  { format: 'csv', file: csv },
  { timestampColumn: 'timestamp', columns: [{ name: 'load', type: 'number' }, { name: 'temperature', type: 'number' }] },
);
const folds = Number(process.env.FOLDS ?? 5);
const fraction = Number(process.env.FRACTION ?? 0.15);
const result = await fitForecaster({
  table,
  features: benchFeatures(holidays),
  horizon: 24,
  models: MODELS,
  ensemble: 'auto',
  validation: 0.15,
  backtest: { folds, fraction },
  earlyStopping: { patience: 5 },
  coverage: 0.9,
  seed: 42,
  backtestOnly: true,
  onFold: ({ model, fold, folds: total, mae }) => {
    console.error(`  ${model} fold ${fold}/${total}: MAE ${mae.toFixed(1)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  },
});
const elapsed = (performance.now() - started) / 1000;
const naive = result.baseline.mae;
const rows = [
  { name: 'seasonalNaive (weekly, baseline)', mae: naive, mase: 1, intervalCoverage: undefined as number | undefined },
  ...result.candidates,
];
console.log(`Victoria hourly, horizon 24, ${folds} rolling-origin folds over the last ${fraction * 100}% (${result.samples.backtest} origins), backend ${backend}`);
console.log('| model | backtest MAE | vs seasonal-naive | 90% coverage |');
console.log('|---|---|---|---|');
for (const r of rows) {
  const vs = r.mae / naive - 1;
  const cov = r.intervalCoverage === undefined ? '-' : `${(r.intervalCoverage * 100).toFixed(1)}%`;
  console.log(`| ${r.name}${r.name === result.selected ? ' (selected)' : ''} | ${r.mae.toFixed(1)} | ${(vs * 100).toFixed(1)}% | ${cov} |`);
}
console.log(`per fold (selected): ${result.folds.map((f) => `${f.mase.toFixed(3)}`).join(' ')} MASE; coverage ${result.folds.map((f) => (f.intervalCoverage === undefined ? '-' : f.intervalCoverage.toFixed(3))).join(' ')}`);
console.log(`whole run ${elapsed.toFixed(0)} s`);
const best = result.candidates.find((c) => c.name === result.selected)!;
console.log(
  JSON.stringify({
    bench: 'accuracy',
    ratio: Number((best.mae / naive).toFixed(4)),
    selected: result.selected,
    mae_seasonal_naive: Number(naive.toFixed(2)),
    mae: Object.fromEntries(result.candidates.map((c) => [c.name, Number(c.mae.toFixed(2))])),
    coverage_90: Number((best.intervalCoverage ?? Number.NaN).toFixed(4)),
    folds,
    seconds: Math.round(elapsed),
    backend,
  }),
);
