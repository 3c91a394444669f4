import { describe, expect, it } from 'vitest';
import { FeatureError } from './errors.ts';
import { seriesLayout, toPositions, toRows } from './series-layout.ts';
import { HOUR, testTable } from '../../test/support/feature-table.ts';

const t = (hours: number[]) => hours.map((h) => h * HOUR);

describe('seriesLayout', () => {
  it('treats a table without entity as one series in row order', () => {
    const layout = seriesLayout(testTable({ time: t([0, 1, 2]), numeric: {} }));
    expect(layout).toEqual({ order: null, position: null, starts: Int32Array.of(0, 3), seriesOf: null, labels: [''] });
  });

  it('keeps row order when each entity is contiguous', () => {
    const layout = seriesLayout(testTable({ time: t([0, 1, 0, 1, 2]), numeric: {}, entity: ['b', 'b', 'a', 'a', 'a'] }));
    expect(layout.order).toBeNull();
    expect(Array.from(layout.starts)).toEqual([0, 2, 5]);
    expect(Array.from(layout.seriesOf!)).toEqual([0, 0, 1, 1, 1]);
    expect(layout.labels).toEqual(['b', 'a']);
  });

  it('groups interleaved entities stably, first seen first', () => {
    const table = testTable({ time: t([0, 0, 1, 1, 2]), numeric: {}, entity: ['x', 'y', 'x', 'y', 'x'] });
    const layout = seriesLayout(table);
    expect(Array.from(layout.order!)).toEqual([0, 2, 4, 1, 3]);
    expect(Array.from(layout.position!)).toEqual([0, 3, 1, 4, 2]);
    expect(Array.from(layout.starts)).toEqual([0, 3, 5]);
    expect(Array.from(layout.seriesOf!)).toEqual([0, 0, 0, 1, 1]);
    const values = Float64Array.of(10, 20, 11, 21, 12);
    const positional = toPositions(values, layout);
    expect(Array.from(positional)).toEqual([10, 11, 12, 20, 21]);
    expect(Array.from(toRows(positional, layout))).toEqual(Array.from(values));
  });

  it('puts rows without an entity in a series of their own', () => {
    const table = testTable({ time: t([0, 0, 1]), numeric: {}, entity: ['x', 'y', 'x'] });
    table.categorical.get('site')!.codes[1] = -1;
    expect(seriesLayout(table).labels).toEqual(['x', '(null)']);
  });

  it.each([
    [[0, 2, 1], undefined, /in the series, row 2 .* is earlier than row 1/],
    [[0, 1, 1], undefined, /repeats the timestamp of row 1/],
    [[0, 5, 1, 0], ['a', 'a', 'b', 'a'], /entity "a", row 3/],
  ])('rejects rows out of time order within an entity: %j', (hours, entity, message) => {
    const table = testTable({ time: t(hours), numeric: {}, entity });
    expect(() => seriesLayout(table)).toThrow(FeatureError);
    expect(() => seriesLayout(table)).toThrow(message);
  });
});
