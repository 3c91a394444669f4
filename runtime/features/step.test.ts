import { describe, expect, it } from 'vitest';
import { seriesLayout } from './series-layout.ts';
import { inferStepMs } from './step.ts';
import { HOUR, testTable } from '../../test/support/feature-table.ts';

function step(hours: number[], entity?: string[]): number {
  const table = testTable({ time: hours.map((h) => h * HOUR), numeric: {}, entity });
  const layout = seriesLayout(table);
  return inferStepMs(table.time, layout);
}

describe('inferStepMs', () => {
  it.each([
    ['a regular series', [0, 1, 2, 3], undefined, HOUR],
    ['a gap does not move the median', [0, 1, 2, 3, 10, 11], undefined, HOUR],
    ['half-hourly', [0, 0.5, 1, 1.5], undefined, HOUR / 2],
    ['even count takes the lower median', [0, 1, 3, 5], undefined, 2 * HOUR],
    ['differences across entities are ignored', [0, 1, 2, 100, 101, 102], ['a', 'a', 'a', 'b', 'b', 'b'], HOUR],
    ['one row has no step', [5], undefined, Number.NaN],
  ])('%s', (_name, hours, entity, want) => {
    expect(step(hours, entity)).toBe(want);
  });
});
