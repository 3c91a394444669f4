import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DatasetSchemaSpec } from './spec.ts';
import type { Table } from './table.ts';
import { hashTable, VersionHasher } from './version.ts';

const schema: DatasetSchemaSpec = {
  timestampColumn: 'ts',
  columns: [
    { name: 'x', type: 'number', nullable: true },
    { name: 's', type: 'string', nullable: true },
  ],
};

function table(x: number[], s: (string | null)[]): Table {
  const dictionary = [...new Set(s.filter((v) => v !== null))] as string[];
  return {
    rows: x.length,
    time: Float64Array.from(x, (_, i) => i * 1000),
    offsetMinutes: new Int16Array(x.length),
    numeric: new Map([['x', Float64Array.from(x)]]),
    categorical: new Map([['s', { codes: Int32Array.from(s, (v) => (v === null ? -1 : dictionary.indexOf(v))), dictionary }]]),
  };
}

describe('version', () => {
  it('is 16 hex characters, deterministic, and independent of dictionary order', () => {
    const a = hashTable(table([1, 2], ['p', 'q']), schema);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    const reordered = table([1, 2], ['p', 'q']);
    reordered.categorical.set('s', { codes: Int32Array.from([1, 0]), dictionary: ['q', 'p'] });
    expect(hashTable(reordered, schema)).toBe(a);
  });

  it('tells values, nulls, NaN payloads, -0 and string boundaries apart as it should', () => {
    const base = hashTable(table([1, Number.NaN], ['ab', null]), schema);
    expect(hashTable(table([1, Number.NaN], ['ab', '']), schema)).not.toBe(base);
    expect(hashTable(table([1, 0], ['ab', null]), schema)).not.toBe(base);
    expect(hashTable(table([1, Number.NaN], ['a', 'b']), schema)).not.toBe(hashTable(table([1, Number.NaN], ['ab', null]), schema));
    const odd = new Float64Array(new BigUint64Array([0x7ff8000000000123n]).buffer)[0];
    expect(hashTable(table([1, odd], ['ab', null]), schema)).toBe(base);
    expect(hashTable(table([0], ['z']), schema)).toBe(hashTable(table([-0], ['z']), schema));
  });

  it('streams the documented encoding through its buffer, long and non-ASCII strings included', () => {
    const long = 'é☀'.repeat(40_000);
    const h = new VersionHasher();
    const parts: Buffer[] = [];
    const text = (v: string | null) => {
      h.text(v);
      if (v === null) return parts.push(Buffer.from([0]));
      const bytes = Buffer.from(v, 'utf8');
      const head = Buffer.alloc(5);
      head[0] = 1;
      head.writeUInt32LE(bytes.length, 1);
      parts.push(head, bytes);
    };
    const number = (v: number) => {
      h.number(v);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v);
      parts.push(b);
    };
    for (let i = 0; i < 5000; i++) {
      text(`v${i}`);
      number(i / 3);
      text(null);
    }
    text(long);
    number(1);
    expect(h.digest()).toBe(createHash('sha256').update(Buffer.concat(parts)).digest('hex').slice(0, 16));
  });
});
