/**
 * Feature pipeline benchmark: computeRowFeatures on 1,000,000 hourly rows with
 * lags 1/24/168, past-only rolling mean+std over 24 and 168 rows and calendar
 * hourOfDay/dayOfWeek/month (the pandas reference workload of
 * ../shared/data/README.md, 0.105 s there), against a naive per-row-object
 * implementation timed in the same process. Ratios are time ratios
 * (ours / baseline, below 1 is faster). Run: `node bench/features.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Table } from '../runtime/data/table.ts';
import { computeRowFeatures } from '../runtime/features/row-features.ts';
import type { FeatureSpec } from '../runtime/features/spec.ts';

const ROWS = 1_000_000;
const RUNS = 5;
/** Untimed runs first: V8 tiers the kernels up and the allocator starts reusing freed columns after a few. */
const WARMUPS = 3;
const NAIVE_RUNS = 3;
const PANDAS_SECONDS = 0.105;
const HOUR = 3_600_000;
const DATA = new URL('../../shared/data/', import.meta.url);

const SPEC: FeatureSpec = {
  target: 'load',
  calendar: ['hourOfDay', 'dayOfWeek', 'month'],
  lags: [{ column: 'load', steps: [1, 24, 168] }],
  rolling: [{ column: 'load', windows: [24, 168], stats: ['mean', 'std'] }],
};

/** UTC instants where Melbourne switches offset (AEDT +660 from October, AEST +600 from April). */
function melbourneTransitions(fromYear: number, toYear: number): { at: number; offset: number }[] {
  const firstSunday = (year: number, month: number) => 1 + ((7 - new Date(Date.UTC(year, month, 1)).getUTCDay()) % 7);
  const out: { at: number; offset: number }[] = [];
  for (let year = fromYear; year <= toYear; year++) {
    out.push({ at: Date.UTC(year, 3, firstSunday(year, 3), 3) - 660 * 60_000, offset: 600 });
    out.push({ at: Date.UTC(year, 9, firstSunday(year, 9), 2) - 600 * 60_000, offset: 660 });
  }
  return out;
}

/** A synthetic hourly load: daily double peak, weekday/weekend, seasons, temperature and AR(1) noise. */
function syntheticTable(rows: number): Table {
  const start = Date.UTC(1999, 11, 31, 13); // 2000-01-01T00:00+11:00
  const time = new Float64Array(rows);
  const offsetMinutes = new Int16Array(rows);
  const load = new Float64Array(rows);
  const transitions = melbourneTransitions(2000, 2000 + Math.ceil(rows / 8760) + 1);
  let next = 0;
  let offset = 660;
  let seed = 12_345;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 4_294_967_296;
  };
  let noise = 0;
  for (let i = 0; i < rows; i++) {
    const at = start + i * HOUR;
    while (next < transitions.length && transitions[next].at <= at) offset = transitions[next++].offset;
    time[i] = at;
    offsetMinutes[i] = offset;
    const local = at + offset * 60_000;
    const hour = (local / HOUR) % 24;
    const day = Math.floor(local / 86_400_000);
    const weekday = (day + 3) % 7;
    const season = Math.cos((2 * Math.PI * (day % 365.25)) / 365.25);
    const temperature = 17 + 7 * season + 5 * Math.sin((2 * Math.PI * (hour - 9)) / 24) + 2 * (random() - 0.5);
    noise = 0.8 * noise + 60 * (random() - 0.5);
    const daily = 600 * Math.exp(-((hour - 8.5) ** 2) / 6) + 900 * Math.exp(-((hour - 18.5) ** 2) / 8);
    load[i] =
      4200 + daily * (weekday >= 5 ? 0.75 : 1) + 45 * Math.abs(temperature - 18) ** 1.3 + 300 * season + noise;
  }
  return { rows, time, offsetMinutes, numeric: new Map([['load', load]]), categorical: new Map() };
}

/** The same features the obvious way: an object per row, Date for the calendar, O(n*w) windows. */
function naiveFeatures(table: Table): Record<string, number>[] {
  const rows = Array.from({ length: table.rows }, (_, i) => ({
    time: table.time[i],
    offset: table.offsetMinutes[i],
    load: table.numeric.get('load')![i],
  }));
  const out: Record<string, number>[] = [];
  for (let i = 0; i < rows.length; i++) {
    const local = new Date(rows[i].time + rows[i].offset * 60_000);
    const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
    const weekday = (local.getUTCDay() + 6) % 7;
    const month = local.getUTCMonth();
    const features: Record<string, number> = {
      hourOfDay_sin: Math.sin((2 * Math.PI * hour) / 24),
      hourOfDay_cos: Math.cos((2 * Math.PI * hour) / 24),
      dayOfWeek_sin: Math.sin((2 * Math.PI * weekday) / 7),
      dayOfWeek_cos: Math.cos((2 * Math.PI * weekday) / 7),
      month_sin: Math.sin((2 * Math.PI * month) / 12),
      month_cos: Math.cos((2 * Math.PI * month) / 12),
    };
    for (const k of [1, 24, 168]) features[`load_lag${k}`] = i >= k ? rows[i - k].load : Number.NaN;
    for (const w of [24, 168]) {
      if (i < w) {
        features[`load_roll${w}_mean`] = Number.NaN;
        features[`load_roll${w}_std`] = Number.NaN;
        continue;
      }
      let sum = 0;
      for (let j = i - w; j < i; j++) sum += rows[j].load;
      const mean = sum / w;
      let squares = 0;
      for (let j = i - w; j < i; j++) squares += (rows[j].load - mean) ** 2;
      features[`load_roll${w}_mean`] = mean;
      features[`load_roll${w}_std`] = Math.sqrt(squares / (w - 1));
    }
    out.push(features);
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median wall-clock and CPU (user + system) seconds of `runs` calls after `warmups` untimed ones. */
function time(runs: number, warmups: number, fn: () => unknown): { wall: number; cpu: number } {
  for (let i = 0; i < warmups; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** Reads timestamp,load[,...] CSV with ISO timestamps that carry their offset. */
function readCsv(url: URL): Table {
  const lines = readFileSync(url, 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  const rows = lines.length - 1;
  const time = new Float64Array(rows);
  const offsetMinutes = new Int16Array(rows);
  const columns = header.slice(1).map(() => new Float64Array(rows));
  for (let i = 0; i < rows; i++) {
    const fields = lines[i + 1].split(',');
    const stamp = fields[0];
    time[i] = Date.parse(stamp);
    const zone = /([+-])(\d\d):(\d\d)$/.exec(stamp);
    offsetMinutes[i] = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
    for (let j = 0; j < columns.length; j++) columns[j][i] = fields[j + 1] === '' ? Number.NaN : Number(fields[j + 1]);
  }
  const numeric = new Map(header.slice(1).map((name, j) => [name, columns[j]] as const));
  return { rows, time, offsetMinutes, numeric, categorical: new Map() };
}

function checkAgainstNaive(table: Table): void {
  const fast = computeRowFeatures(table, SPEC);
  const slow = naiveFeatures({ ...table, rows: 5000 });
  let worst = 0;
  for (let i = 0; i < 5000; i++) {
    for (const [j, name] of fast.names.entries()) {
      const a = fast.columns[j][i];
      const b = slow[i][name];
      if (Number.isNaN(a) !== Number.isNaN(b)) throw new Error(`${name} differs at row ${i}: ${a} vs ${b}`);
      if (!Number.isNaN(a)) worst = Math.max(worst, Math.abs(a - b) / (1 + Math.abs(b)));
    }
  }
  if (worst > 1e-9) throw new Error(`fast and naive features differ by ${worst}`);
}

const table = syntheticTable(ROWS);
checkAgainstNaive(table);
const ours = time(RUNS, WARMUPS, () => computeRowFeatures(table, SPEC));
const naive = time(NAIVE_RUNS, 0, () => naiveFeatures(table));
const seconds = ours.wall;
const features = computeRowFeatures(table, SPEC).names.length;
const rowsPerSecond = Math.round(ROWS / seconds);
const ratioVsPandas = seconds / PANDAS_SECONDS;
const ratioVsNaive = seconds / naive.wall;
const load1 = loadavg()[0];
console.log(`synthetic hourly load, ${ROWS.toLocaleString('en')} rows, ${features} features (DST offsets +600/+660)`);
console.log(`  load average ${load1.toFixed(1)} on ${availableParallelism()} CPUs (wall times above CPU times mean contention)`);
console.log(
  `  computeRowFeatures: median ${seconds.toFixed(4)} s wall, ${ours.cpu.toFixed(4)} s CPU (all threads, GC included) of ${RUNS} runs after ${WARMUPS} warm-ups, ${rowsPerSecond.toLocaleString('en')} rows/s`,
);
console.log(
  `  naive per-row objects, O(n*w) windows: median ${naive.wall.toFixed(3)} s wall, ${naive.cpu.toFixed(3)} s CPU of ${NAIVE_RUNS} runs`,
);
console.log(`  vs pandas reference ${PANDAS_SECONDS} s: time ratio ${ratioVsPandas.toFixed(3)} (${(1 / ratioVsPandas).toFixed(2)}x as fast)`);
console.log(
  `  vs naive (same run): time ratio ${ratioVsNaive.toFixed(4)} (${(1 / ratioVsNaive).toFixed(1)}x as fast), CPU-time ratio ${(ours.cpu / naive.cpu).toFixed(4)}`,
);

for (const file of ['vic_elec_hourly.csv', 'vic_elec_30min.csv']) {
  const url = new URL(file, DATA);
  if (!existsSync(url)) {
    console.log(`${file}: skipped (not found in ../shared/data)`);
    continue;
  }
  const real = readCsv(url);
  const realSeconds = time(RUNS, WARMUPS, () => computeRowFeatures(real, SPEC)).wall;
  console.log(
    `${file}: ${real.rows.toLocaleString('en')} rows, median ${(realSeconds * 1000).toFixed(2)} ms, ${Math.round(real.rows / realSeconds).toLocaleString('en')} rows/s (lags and windows in rows)`,
  );
}

console.log(
  JSON.stringify({
    bench: 'features',
    rows: ROWS,
    median_s: Number(seconds.toFixed(4)),
    rows_per_s: rowsPerSecond,
    ratio_vs_pandas: Number(ratioVsPandas.toFixed(3)),
    ratio_vs_naive: Number(ratioVsNaive.toFixed(4)),
    cpu_s: Number(ours.cpu.toFixed(4)),
    ratio_vs_naive_cpu: Number((ours.cpu / naive.cpu).toFixed(4)),
    load1: Number(load1.toFixed(1)),
  }),
);
