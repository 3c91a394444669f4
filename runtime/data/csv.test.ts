import { describe, expect, it } from 'vitest';
import { CsvTokenizer, readCsv } from './csv.ts';
import { loadTable } from './load.ts';
import type { DatasetSchemaSpec } from './spec.ts';
import { TableBuilder } from './table-builder.ts';

type Rec = [line: number, fields: string[], problem: string | null];

/** tokenize runs the tokenizer over `text` cut into chunks of `size` characters. */
function tokenize(text: string, size = text.length || 1): Rec[] {
  const out: Rec[] = [];
  const t = new CsvTokenizer((fields, count, line, problem) => out.push([line, fields.slice(0, count), problem]));
  for (let i = 0; i < text.length; i += size) t.push(text.slice(i, i + size));
  t.end();
  return out;
}

/** everyChunking checks the records come out the same however the text is cut. */
function everyChunking(text: string): Rec[] {
  const whole = tokenize(text);
  for (let size = 1; size <= Math.min(text.length, 12); size++) expect(tokenize(text, size), `chunks of ${size}`).toEqual(whole);
  return whole;
}

describe('CsvTokenizer', () => {
  it('splits plain records and keeps line numbers', () => {
    expect(everyChunking('a,b,c\n1,2,3\n4,5,6\n')).toEqual([
      [1, ['a', 'b', 'c'], null],
      [2, ['1', '2', '3'], null],
      [3, ['4', '5', '6'], null],
    ]);
  });

  it('handles quoted fields, escaped quotes and commas inside quotes', () => {
    expect(everyChunking('a,b\n"x, y","say ""hi"""\n"",plain\n')).toEqual([
      [1, ['a', 'b'], null],
      [2, ['x, y', 'say "hi"'], null],
      [3, ['', 'plain'], null],
    ]);
  });

  it('handles CRLF, a missing final line break and empty fields', () => {
    expect(everyChunking('a,b\r\n1,\r\n,2\r\n"q",3')).toEqual([
      [1, ['a', 'b'], null],
      [2, ['1', ''], null],
      [3, ['', '2'], null],
      [4, ['q', '3'], null],
    ]);
  });

  it('keeps line breaks inside quotes and numbers records by their first line', () => {
    expect(everyChunking('a,b\n"line1\nline2",x\r\n"c\r\nd",y\nlast,z\n')).toEqual([
      [1, ['a', 'b'], null],
      [2, ['line1\nline2', 'x'], null],
      [4, ['c\r\nd', 'y'], null],
      [6, ['last', 'z'], null],
    ]);
  });

  it('skips empty lines but counts them', () => {
    expect(everyChunking('a\n\n1\r\n\r\n\n2\n\n')).toEqual([
      [1, ['a'], null],
      [3, ['1'], null],
      [6, ['2'], null],
    ]);
  });

  it('reports bad quoting as a problem of its record', () => {
    const recs = everyChunking('a,b\n"x"y,1\nab"c,2\n"open,3\nmore\n');
    expect(recs[1]).toEqual([2, ['xy', '1'], 'malformed CSV: text after a closing quote']);
    expect(recs[2]).toEqual([3, ['ab"c', '2'], 'malformed CSV: quote inside an unquoted field']);
    expect(recs[3][0]).toBe(4);
    expect(recs[3][2]).toBe('malformed CSV: unterminated quoted field');
  });
});

describe('readCsv through loadTable', () => {
  const schema: DatasetSchemaSpec = {
    timestampColumn: 'ts',
    columns: [
      { name: 'load', type: 'number' },
      { name: 'note', type: 'string', nullable: true },
    ],
  };

  it('loads quoted and CRLF text with a BOM, ignoring extra columns', async () => {
    const text = '\uFEFFts,"note",load,extra\r\n2012-01-01T00:00:00Z,"a, b",1.5,x\r\n2012-01-01T01:00:00Z,,2,y\r\n';
    const { table, report } = await loadTable({ format: 'csv', text }, schema);
    expect(report).toMatchObject({ rowsRead: 2, rowsAccepted: 2, rowsRejected: 0 });
    expect(Array.from(table.numeric.get('load')!)).toEqual([1.5, 2]);
    const note = table.categorical.get('note')!;
    expect(note.dictionary).toEqual(['a, b']);
    expect(Array.from(note.codes)).toEqual([0, -1]);
  });

  it('reads bytes split inside a multi-byte character', async () => {
    const bytes = Buffer.from('ts,load,note\n2012-01-01T00:00:00Z,1,Zürich ☀\n');
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const builder = new TableBuilder(schema);
    await readCsv(chunks, builder);
    expect(builder.finish().table.categorical.get('note')!.dictionary).toEqual(['Zürich ☀']);
  });

  it('fails on an empty source: there is no header', async () => {
    await expect(loadTable({ format: 'csv', text: '\n\n' }, schema)).rejects.toMatchObject({
      name: 'DataError',
      code: 'EmptySource',
    });
  });

  it('rejects a record with the wrong field count and bad quoting, with its line', async () => {
    const text = 'ts,load,note\n2012-01-01T00:00:00Z,1,a\n2012-01-01T01:00:00Z,2\n2012-01-01T02:00:00Z,3,"x"y\n2012-01-01T03:00:00Z,4,b,c\n';
    const { report } = await loadTable({ format: 'csv', text }, schema);
    expect(report.rowsAccepted).toBe(1);
    expect(report.rejections).toEqual([
      { line: 3, reason: 'line 3: expected 3 fields, got 2' },
      { line: 4, reason: 'line 4: malformed CSV: text after a closing quote' },
      { line: 5, reason: 'line 5: expected 3 fields, got 4' },
    ]);
  });
});
