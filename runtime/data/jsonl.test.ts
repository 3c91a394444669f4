import { describe, expect, it } from 'vitest';
import { readJsonl } from './jsonl.ts';
import type { DatasetSchemaSpec } from './spec.ts';
import { TableBuilder } from './table-builder.ts';

const schema: DatasetSchemaSpec = {
  timestampColumn: 't',
  entityColumn: 'id',
  columns: [
    { name: 'v', type: 'number' },
    { name: 'city', type: 'string', nullable: true },
  ],
};

async function read(chunks: Iterable<Uint8Array | string>) {
  const builder = new TableBuilder(schema);
  await readJsonl(chunks, builder);
  return builder.finish();
}

describe('readJsonl', () => {
  const text =
    '\uFEFF{"t":"2012-01-01T00:00:00Z","id":7,"v":1.5,"city":"Zürich ☀"}\r\n' +
    '\n' +
    '{"t":"2012-01-01T01:00:00Z","id":7,"v":2}\n' +
    'not json\n' +
    '{"t":"2012-01-01T00:00:00Z","id":"8","v":3,"city":null}';

  it('reads the same however the bytes are split, numbers as entity ids, missing keys as null', async () => {
    const whole = await read([text]);
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const split = await read(chunks);
      expect(split.report).toEqual(whole.report);
      expect(split.table).toEqual(whole.table);
    }
    const { table, report } = whole;
    expect(report).toMatchObject({ rowsRead: 4, rowsAccepted: 3, rowsRejected: 1 });
    expect(report.rejections[0].line).toBe(4);
    expect(report.rejections[0].reason).toMatch(/^line 4: malformed JSON: /);
    const id = table.categorical.get('id')!;
    expect(Array.from(id.codes, (c) => id.dictionary[c])).toEqual(['7', '7', '8']);
    const city = table.categorical.get('city')!;
    expect(Array.from(city.codes, (c) => (c < 0 ? null : city.dictionary[c]))).toEqual(['Zürich ☀', null, null]);
  });

  it('rejects a null entity and a nested value', async () => {
    const { report } = await read([
      '{"t":"2012-01-01T00:00:00Z","id":null,"v":1,"city":"a"}\n{"t":"2012-01-01T00:00:00Z","id":"a","v":1,"city":["x"]}\n',
    ]);
    expect(report.rejections.map((r) => r.reason)).toEqual([
      'line 1: column "id": missing entity',
      'line 2: column "city": expected string, got ["x"]',
    ]);
  });
});
