/**
 * generate-data writes examples/energy-forecast/data/grid-load.csv: a deterministic,
 * synthetic hourly electricity load for a Melbourne-like grid (Australia/Melbourne
 * wall clock, with its daylight-saving changes in the timestamps' UTC offsets).
 *
 * It is not real data. It is built to behave like real demand: a daily profile
 * with morning and evening peaks, weekends and public holidays lower, a yearly
 * cycle, temperature dependence (heating below 16 °C, cooling above 22 °C, stronger
 * in heat), persistent weather and demand noise (AR(1)), all from a seeded PRNG so
 * every run writes the same bytes. Run: node examples/energy-forecast/generate-data.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../runtime/models/random.ts';

/** GridLoadOptions are the generator's inputs; the defaults write the committed file. */
export interface GridLoadOptions {
  start: string;
  days: number;
  seed: number;
  holidays: string[];
}

/** defaultHolidays are the Victorian public holidays of 2023-2024 (the example's FeatureSet lists the same). */
export const defaultHolidays = [
  '2023-01-02', '2023-01-26', '2023-03-13', '2023-04-07', '2023-04-08', '2023-04-10', '2023-04-25',
  '2023-06-12', '2023-09-29', '2023-11-07', '2023-12-25', '2023-12-26',
  '2024-01-01', '2024-01-26', '2024-03-11', '2024-03-29', '2024-03-30', '2024-04-01', '2024-04-25',
  '2024-06-10', '2024-09-27', '2024-11-05', '2024-12-25', '2024-12-26',
];


function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** firstSundayUtc is 16:00 UTC on the Saturday before the first Sunday of a month: when Melbourne's clocks change. */
function firstSundayUtc(year: number, month: number): number {
  const first = new Date(Date.UTC(year, month, 1));
  const day = (7 - first.getUTCDay()) % 7; // days until Sunday
  return Date.UTC(year, month, 1 + day) - 8 * 3_600_000;
}

/** melbourneOffsetMinutes is +660 (AEDT) from October's first Sunday to April's first Sunday, else +600 (AEST). */
export function melbourneOffsetMinutes(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const dstEnds = firstSundayUtc(year, 3); // 03:00 AEDT = 16:00 UTC Saturday
  const dstStarts = firstSundayUtc(year, 9); // 02:00 AEST = 16:00 UTC Saturday
  return utcMs < dstEnds || utcMs >= dstStarts ? 660 : 600;
}

function isoWithOffset(utcMs: number, offsetMinutes: number): string {
  const local = new Date(utcMs + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const h = String(Math.floor(offsetMinutes / 60)).padStart(2, '0');
  const m = String(offsetMinutes % 60).padStart(2, '0');
  return `${local}+${h}:${m}`;
}

/** generateGridLoad returns the CSV text (header timestamp,load,temperature). */
export function generateGridLoad(options: GridLoadOptions): string {
  const rand = seededRandom(options.seed);
  const normal = gaussian(rand);
  const holidays = new Set(options.holidays);
  const startLocal = Date.parse(`${options.start}T00:00:00Z`);
  let t = startLocal - melbourneOffsetMinutes(startLocal - 660 * 60_000) * 60_000;
  const end = t + options.days * 86_400_000;
  let weather = 0;
  let demandNoise = 0;
  const lines = ['timestamp,load,temperature'];
  for (; t < end; t += 3_600_000) {
    const offset = melbourneOffsetMinutes(t);
    const local = new Date(t + offset * 60_000);
    const hour = local.getUTCHours();
    const dow = local.getUTCDay();
    const doy = (local.getTime() - Date.UTC(local.getUTCFullYear(), 0, 1)) / 86_400_000;
    const dateKey = local.toISOString().slice(0, 10);
    const offDay = dow === 0 || dow === 6 || holidays.has(dateKey);

    weather = 0.985 * weather + 0.45 * normal();
    const seasonal = 15.5 + 5.5 * Math.cos((2 * Math.PI * (doy - 25)) / 365.25);
    const diurnal = 4.5 * Math.cos((2 * Math.PI * (hour - 15)) / 24);
    const temperature = seasonal + diurnal + 1.2 * weather;

    const morning = Math.exp(-((hour - 8) ** 2) / 6);
    const evening = Math.exp(-((hour - 18.5) ** 2) / 8);
    const night = Math.exp(-((hour - 3.5) ** 2) / 10);
    const profile = offDay ? 0.82 + 0.1 * morning * 0.6 + 0.14 * evening - 0.12 * night : 0.9 + 0.16 * morning + 0.2 * evening - 0.16 * night;
    const heating = Math.max(0, 16 - temperature) * 85;
    const cooling = Math.max(0, temperature - 22) ** 1.35 * 95;
    const yearly = 1 + 0.04 * Math.cos((2 * Math.PI * (doy - 190)) / 365.25);
    demandNoise = 0.9 * demandNoise + 45 * normal();
    const load = 4300 * profile * yearly + (heating + cooling) * (offDay ? 0.85 : 1) + demandNoise;
    lines.push(`${isoWithOffset(t, offset)},${load.toFixed(1)},${temperature.toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** defaultOptions write the committed example data: 2023-01-01 to 2024-06-30, hourly. */
export const defaultOptions: GridLoadOptions = { start: '2023-01-01', days: 547, seed: 20230101, holidays: defaultHolidays };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = new URL('./data/grid-load.csv', import.meta.url);
  mkdirSync(dirname(fileURLToPath(out)), { recursive: true });
  writeFileSync(out, generateGridLoad(defaultOptions));
  process.stdout.write(`wrote ${fileURLToPath(out)}\n`);
}
