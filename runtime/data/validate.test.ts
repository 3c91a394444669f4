import { describe, expect, it } from 'vitest';
import { loadTable } from './load.ts';
import type { DatasetSchemaSpec } from './spec.ts';
import { validateTable } from './validate.ts';

const columns: DatasetSchemaSpec['columns'] = [
  { name: 'load', type: 'number' },
  { name: 'temperature', type: 'number', nullable: true },
  { name: 'note', type: 'string', nullable: true },
];
const text = [
  'timestamp,load,temperature,note',
  '2012-01-01T00:00:00Z,1,,a',
  '2012-01-01T01:00:00Z,2,5,',
  '2012-01-01T02:00:00Z,3,6,',
  '2012-01-01T03:00:00Z,x,7,b',
].join('\n');

async function check(validation?: DatasetSchemaSpec['validation']) {
  const schema: DatasetSchemaSpec = { timestampColumn: 'timestamp', columns, validation };
  const { table, report } = await loadTable({ format: 'csv', text }, schema);
  return validateTable(table, report, schema);
}

describe('validateTable', () => {
  it('fails on any rejected row by default and says so', async () => {
    const result = await check({ maxNullFraction: 1 });
    expect(result.passed).toBe(false);
    const rejected = result.checks.find((c) => c.name === 'maxRejectedFraction')!;
    expect(rejected.passed).toBe(false);
    expect(rejected.message).toBe(
      '1 of 4 rows rejected (25%); at most 0% allowed by default: any rejected row fails validation; ' +
        'set validation.maxRejectedFraction to tolerate some; first: line 5: column "load": expected number, got "x"',
    );
  });

  it('passes rejected rows within maxRejectedFraction', async () => {
    const result = await check({ maxRejectedFraction: 0.25, maxNullFraction: 1 });
    expect(result.passed).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual([
      'minRows',
      'maxNullFraction:load',
      'maxNullFraction:temperature',
      'maxNullFraction:note',
      'maxRejectedFraction',
    ]);
  });

  it('checks the null fraction of every column, numeric and string', async () => {
    const result = await check({ maxRejectedFraction: 1, maxNullFraction: 0.5 });
    const byName = Object.fromEntries(result.checks.map((c) => [c.name, c]));
    expect(byName['maxNullFraction:temperature']).toMatchObject({ passed: true });
    expect(byName['maxNullFraction:note']).toEqual({
      name: 'maxNullFraction:note',
      passed: false,
      message: 'column "note": 2 of 3 values null (66.67%); at most 50% allowed',
    });
    expect(result.passed).toBe(false);
  });

  it('checks minRows', async () => {
    const result = await check({ minRows: 10, maxRejectedFraction: 1, maxNullFraction: 1 });
    expect(result.checks[0]).toEqual({ name: 'minRows', passed: false, message: '3 rows accepted; at least 10 required' });
    expect(result.passed).toBe(false);
  });

  it('uses the CRD defaults when validation is left out', async () => {
    const result = await check(undefined);
    expect(result.checks[0].message).toBe('3 rows accepted; at least 1 required (default)');
    expect(result.checks[2].message).toBe('column "temperature": 1 of 3 values null (33.33%); at most 5% allowed (default)');
  });
});
