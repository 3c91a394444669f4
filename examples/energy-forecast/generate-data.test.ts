import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { defaultOptions, generateGridLoad, melbourneOffsetMinutes } from './generate-data.ts';

describe('example data generator', () => {
  it('reproduces the committed data/grid-load.csv byte for byte', async () => {
    const committed = await readFile(new URL('./data/grid-load.csv', import.meta.url), 'utf8');
    expect(generateGridLoad(defaultOptions)).toBe(committed);
  });

  it('switches the UTC offset on the Melbourne daylight-saving dates', () => {
    expect(melbourneOffsetMinutes(Date.parse('2023-04-01T15:59:00Z'))).toBe(660);
    expect(melbourneOffsetMinutes(Date.parse('2023-04-01T16:00:00Z'))).toBe(600);
    expect(melbourneOffsetMinutes(Date.parse('2023-09-30T15:59:00Z'))).toBe(600);
    expect(melbourneOffsetMinutes(Date.parse('2023-09-30T16:00:00Z'))).toBe(660);
  });

  it('has the seasonality and temperature dependence it promises', () => {
    const rows = generateGridLoad({ ...defaultOptions, days: 364 })
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [ts, load, temp] = line.split(',');
        return { hour: Number(ts.slice(11, 13)), dow: new Date(ts.slice(0, 10)).getUTCDay(), load: Number(load), temp: Number(temp) };
      });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const weekday = mean(rows.filter((r) => r.dow >= 1 && r.dow <= 5).map((r) => r.load));
    const weekend = mean(rows.filter((r) => r.dow === 0 || r.dow === 6).map((r) => r.load));
    expect(weekday).toBeGreaterThan(weekend * 1.05);
    const evening = mean(rows.filter((r) => r.hour === 18).map((r) => r.load));
    const night = mean(rows.filter((r) => r.hour === 3).map((r) => r.load));
    expect(evening).toBeGreaterThan(night * 1.2);
    const hot = mean(rows.filter((r) => r.temp > 30).map((r) => r.load));
    const mild = mean(rows.filter((r) => r.temp > 17 && r.temp < 21).map((r) => r.load));
    expect(hot).toBeGreaterThan(mild * 1.2);
  });
});
