import { describe, expect, it } from 'vitest';
import type { DatasetSchemaSpec } from './spec.ts';
import { TableBuilder } from './table-builder.ts';
import { hashTable } from './version.ts';

const schema: DatasetSchemaSpec = {
  timestampColumn: 't',
  entityColumn: 'e',
  columns: [
    { name: 'v', type: 'number', nullable: true },
    { name: 's', type: 'string', nullable: true },
  ],
};

function build(rows: unknown[][]) {
  const b = new TableBuilder(schema);
  b.bind(['s', 'v', 't', 'e']);
  const accepted = rows.map((r, i) => b.addRow(r, i + 2));
  return { accepted, ...b.finish() };
}

describe('TableBuilder', () => {
  it('hashes rows arriving in order incrementally, to the same version as hashing the table', () => {
    const { table, report, accepted } = build([
      ['x', '1', '2012-01-01T00:00:00Z', 'a'],
      [null, null, '2012-01-01T01:00:00Z', 'a'],
      ['y', 2.5, 1325376000, 'b'],
    ]);
    expect(accepted).toEqual([true, true, true]);
    expect(report.version).toBe(hashTable(table, schema));
  });

  it('sorts and hashes rows arriving out of order to the version of the same rows in order', () => {
    const inOrder = build([
      ['x', '1', '2012-01-01T00:00:00Z', 'a'],
      ['y', '2', '2012-01-01T01:00:00Z', 'a'],
      ['z', '3', '2012-01-01T00:00:00Z', 'b'],
    ]);
    const shuffled = build([
      ['z', '3', '2012-01-01T00:00:00Z', 'b'],
      ['y', '2', '2012-01-01T01:00:00Z', 'a'],
      ['x', '1', '2012-01-01T00:00:00Z', 'a'],
    ]);
    expect(shuffled.report.version).toBe(inOrder.report.version);
    expect(Array.from(shuffled.table.numeric.get('v')!)).toEqual([1, 2, 3]);
  });

  it('does not add the strings of a rejected row to a dictionary', () => {
    const { table, accepted } = build([
      ['kept', '1', '2012-01-01T00:00:00Z', 'a'],
      ['dropped', 'oops', '2012-01-01T01:00:00Z', 'never'],
    ]);
    expect(accepted).toEqual([true, false]);
    expect(table.categorical.get('s')!.dictionary).toEqual(['kept']);
    expect(table.categorical.get('e')!.dictionary).toEqual(['a']);
  });
});
