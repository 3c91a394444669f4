import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from './data-error.ts';
import { loadTable } from './load.ts';
import type { DatasetSchemaSpec } from './spec.ts';
import { localMillis } from './table.ts';

const schema: DatasetSchemaSpec = {
  timestampColumn: 'timestamp',
  columns: [
    { name: 'load', type: 'number', min: 0, max: 10_000 },
    { name: 'temperature', type: 'number', nullable: true },
  ],
};

const csv = (lines: string[]) => ({ format: 'csv' as const, text: `${lines.join('\n')}\n` });

describe('loadTable: rejections', () => {
  it('rejects each bad row with its exact line and reason, and counts every one', async () => {
    const { table, report } = await loadTable(
      csv([
        'timestamp,load,temperature', // 1
        '2012-01-01T00:00:00+11:00,4382.8,21.4', // 2 ok
        '2012-01-01T00:30:00+11:00,abc,21.0', // 3 wrong type
        '2012-01-01T01:00:00+11:00,,20.7', // 4 null, non-nullable
        '2012-01-01T01:30:00+11:00,-5,20.5', // 5 below min
        '2012-01-01T02:00:00+11:00,20000,20.5', // 6 above max
        '2012-13-01T02:30:00+11:00,4000,20.5', // 7 bad timestamp
        '2012-01-01T03:00:00+11:00,4000', // 8 field count
        '', // 9 empty line, skipped
        '2012-01-01T03:30:00+11:00,4100,NA', // 10 ok, temperature null
        ',4100,20', // 11 missing timestamp
      ]),
      schema,
    );
    expect(report.rejections).toEqual([
      { line: 3, reason: 'line 3: column "load": expected number, got "abc"' },
      { line: 4, reason: 'line 4: column "load": null in a non-nullable column' },
      { line: 5, reason: 'line 5: column "load": -5 is below the minimum 0' },
      { line: 6, reason: 'line 6: column "load": 20000 is above the maximum 10000' },
      { line: 7, reason: 'line 7: column "timestamp": invalid timestamp "2012-13-01T02:30:00+11:00": month 13 out of range' },
      { line: 8, reason: 'line 8: expected 3 fields, got 2' },
      { line: 11, reason: 'line 11: column "timestamp": missing timestamp' },
    ]);
    expect(report).toMatchObject({ rowsRead: 9, rowsAccepted: 2, rowsRejected: 7 });
    expect(table.rows).toBe(2);
    expect(Array.from(table.numeric.get('load')!)).toEqual([4382.8, 4100]);
    expect(table.numeric.get('temperature')![1]).toBeNaN();
  });

  it('checks integer, boolean and string columns', async () => {
    const s: DatasetSchemaSpec = {
      timestampColumn: 't',
      columns: [
        { name: 'n', type: 'integer' },
        { name: 'b', type: 'boolean' },
        { name: 's', type: 'string' },
      ],
    };
    const { table, report } = await loadTable(
      csv(['t,n,b,s', '2012-01-01,1,true,x', '2012-01-02,1.5,false,y', '2012-01-03,2,maybe,z', '2012-01-04,3,0,', '2012-01-05,4,F,w']),
      s,
    );
    expect(report.rejections.map((r) => r.reason)).toEqual([
      'line 3: column "n": expected integer, got "1.5"',
      'line 4: column "b": expected boolean, got "maybe"',
      'line 5: column "s": null in a non-nullable column',
    ]);
    expect(Array.from(table.numeric.get('n')!)).toEqual([1, 4]);
    expect(Array.from(table.numeric.get('b')!)).toEqual([1, 0]);
    expect(table.categorical.get('s')!.dictionary).toEqual(['x', 'w']);
  });

  it('keeps only the first 20 rejections but counts them all', async () => {
    const lines = ['timestamp,load,temperature'];
    for (let i = 0; i < 100; i++) lines.push(`2012-01-01T00:00:${String(i % 60).padStart(2, '0')}Z,bad,1`);
    const { report } = await loadTable(csv(lines), schema);
    expect(report.rowsRejected).toBe(100);
    expect(report.rejections).toHaveLength(20);
    expect(report.rejections[19].line).toBe(21);
  });
});

describe('loadTable: missing columns', () => {
  it('throws a DataError naming the missing column and the columns found', async () => {
    const err = await loadTable(csv(['timestamp,temperature', '2012-01-01T00:00:00Z,1']), schema).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe('MissingColumn');
    expect(err.message).toBe('column "load" is missing from the source; columns found: "timestamp", "temperature"');
  });

  it('names the timestamp and entity columns by their role', async () => {
    await expect(loadTable(csv(['time,load,temperature']), schema)).rejects.toThrow(
      'timestamp column "timestamp" is missing from the source; columns found: "time", "load", "temperature"',
    );
    await expect(loadTable(csv(['timestamp,load,temperature']), { ...schema, entityColumn: 'region' })).rejects.toThrow(
      'entity column "region" is missing from the source',
    );
  });

  it('throws on a required column that appears twice', async () => {
    await expect(loadTable(csv(['timestamp,load,load,temperature']), schema)).rejects.toMatchObject({
      code: 'DuplicateColumn',
    });
  });

  it('throws SourceUnavailable for a missing file', async () => {
    await expect(loadTable({ format: 'csv', file: '/nonexistent/x.csv' }, schema)).rejects.toMatchObject({
      code: 'SourceUnavailable',
    });
  });
});

describe('loadTable: time, order and duplicates', () => {
  it('keeps wall-clock offsets across daylight-saving changes', async () => {
    const { table, report } = await loadTable(
      csv([
        'timestamp,load,temperature',
        '2012-04-01T01:30:00+11:00,1,0',
        '2012-04-01T02:00:00+11:00,2,0',
        '2012-04-01T02:30:00+11:00,3,0',
        '2012-04-01T02:00:00+10:00,4,0', // clocks went back: same wall clock as line 3, an hour later
        '2012-04-01T02:30:00+10:00,5,0',
        '2012-04-01T03:00:00+10:00,6,0',
      ]),
      schema,
    );
    expect(report.rowsRejected).toBe(0);
    expect(Array.from(table.offsetMinutes)).toEqual([660, 660, 660, 600, 600, 600]);
    for (let i = 1; i < table.rows; i++) expect(table.time[i] - table.time[i - 1]).toBe(30 * 60_000);
    expect(new Date(localMillis(table, 3)).toISOString()).toBe('2012-04-01T02:00:00.000Z');
  });

  it('sorts out-of-order rows by (entity, time), stably, and rejects later duplicates', async () => {
    const s: DatasetSchemaSpec = { ...schema, entityColumn: 'region' };
    const { table, report } = await loadTable(
      csv([
        'region,timestamp,load,temperature', // 1
        'VIC,2012-01-01T01:00:00Z,3,0', // 2
        'NSW,2012-01-01T00:00:00Z,10,0', // 3
        'VIC,2012-01-01T00:00:00Z,2,0', // 4
        'NSW,2012-01-01T01:00:00Z,11,0', // 5
        'VIC,2012-01-01T01:00:00+00:00,99,0', // 6 duplicate of line 2 (same instant)
        'NSW,2012-01-01T02:00:00+01:00,98,0', // 7 duplicate of line 5 (same instant, other offset)
        'VIC,2012-01-01T02:00:00Z,4,0', // 8
      ]),
      s,
    );
    const region = table.categorical.get('region')!;
    expect(Array.from(region.codes, (c) => region.dictionary[c])).toEqual(['NSW', 'NSW', 'VIC', 'VIC', 'VIC']);
    expect(Array.from(table.numeric.get('load')!)).toEqual([10, 11, 2, 3, 4]);
    expect(table.entityColumn).toBe('region');
    expect(report.rejections).toEqual([
      { line: 6, reason: 'line 6: duplicate timestamp 2012-01-01T01:00:00.000Z for entity "VIC" (first on line 2)' },
      { line: 7, reason: 'line 7: duplicate timestamp 2012-01-01T02:00:00.000+01:00 for entity "NSW" (first on line 5)' },
    ]);
    expect(report).toMatchObject({ rowsRead: 7, rowsAccepted: 5, rowsRejected: 2 });
  });

  it('rejects a duplicate of the previous row while rows arrive in order', async () => {
    const { table, report } = await loadTable(
      csv(['timestamp,load,temperature', '2012-01-01T00:00:00Z,1,0', '2012-01-01T00:00:00Z,2,0', '2012-01-01T01:00:00Z,3,0']),
      schema,
    );
    expect(Array.from(table.numeric.get('load')!)).toEqual([1, 3]);
    expect(report.rejections).toEqual([
      { line: 3, reason: 'line 3: duplicate timestamp 2012-01-01T00:00:00.000Z (first on line 2)' },
    ]);
  });

  it('drops dictionary values only seen in a rejected duplicate', async () => {
    const s: DatasetSchemaSpec = { timestampColumn: 't', columns: [{ name: 'tag', type: 'string' }] };
    const { table } = await loadTable(csv(['t,tag', '2012-01-02,a', '2012-01-01,b', '2012-01-02,c']), s);
    const tag = table.categorical.get('tag')!;
    expect(Array.from(tag.codes, (c) => tag.dictionary[c])).toEqual(['b', 'a']);
    expect(tag.dictionary.sort()).toEqual(['a', 'b']);
  });
});

describe('loadTable: versions', () => {
  const rows = [
    ['2012-01-01T00:00:00+11:00', 4382.825174, 21.4],
    ['2012-01-01T00:30:00+11:00', 4263.365526, null],
    ['2012-01-01T01:00:00+11:00', 4048.966046, 20.7],
  ] as const;

  it('is the same for CSV, JSON lines, shuffled rows and other spellings of the same data', async () => {
    const base = await loadTable(csv(['timestamp,load,temperature', ...rows.map((r) => `${r[0]},${r[1]},${r[2] ?? ''}`)]), schema);
    const jsonl = rows.map((r) => JSON.stringify({ temperature: r[2], load: r[1], timestamp: r[0] })).join('\n');
    const fromJsonl = await loadTable({ format: 'jsonl', text: jsonl }, schema);
    const shuffled = await loadTable(
      csv(['temperature,timestamp,load', ...[2, 0, 1].map((i) => `${rows[i][2] ?? 'NaN'},${rows[i][0]},${rows[i][1]}0`)]),
      schema,
    );
    expect(base.report.version).toMatch(/^[0-9a-f]{16}$/);
    expect(fromJsonl.report.version).toBe(base.report.version);
    expect(shuffled.report.version).toBe(base.report.version);
  });

  it('changes when a value, an offset or the schema changes', async () => {
    const text = (load: string, ts: string = rows[0][0]) => csv(['timestamp,load,temperature', `${ts},${load},1`]);
    const a = (await loadTable(text('1'), schema)).report.version;
    expect((await loadTable(text('1.000001'), schema)).report.version).not.toBe(a);
    expect((await loadTable(text('1', '2011-12-31T14:00:00+01:00'), schema)).report.version).not.toBe(a);
    const renamed: DatasetSchemaSpec = { ...schema, columns: [schema.columns[0], { name: 'temperature', type: 'integer' }] };
    expect((await loadTable(text('1'), renamed)).report.version).not.toBe(a);
    expect((await loadTable(text('1'), schema)).report.version).toBe(a);
  });
});

describe('loadTable: JSON lines', () => {
  it('rejects malformed lines and non-objects by line, reads epoch numbers and missing keys as null', async () => {
    const text = [
      '{"timestamp":"2012-01-01T00:00:00Z","load":1,"temperature":2}', // 1
      '', // 2 blank
      '{"timestamp":1325379600,"load":"2","temperature":null}', // 3 epoch seconds, numeric string
      '{"timestamp":1325383200000,"load":3}', // 4 epoch ms, temperature missing
      '{"timestamp":"2012-01-01T03:00:00Z","load":4', // 5 malformed
      '[1,2,3]', // 6 not an object
      '{"timestamp":"2012-01-01T04:00:00Z","load":true}', // 7 wrong type
      '{"timestamp":"2012-01-01T05:00:00Z","load":{"x":1}}\r', // 8 wrong type, CRLF
    ].join('\n');
    const { table, report } = await loadTable({ format: 'jsonl', text }, schema);
    expect(Array.from(table.time)).toEqual([Date.UTC(2012, 0, 1, 0), Date.UTC(2012, 0, 1, 1), Date.UTC(2012, 0, 1, 2)]);
    expect(Array.from(table.numeric.get('load')!)).toEqual([1, 2, 3]);
    expect(report.rejections.map((r) => r.line)).toEqual([5, 6, 7, 8]);
    expect(report.rejections[0].reason).toMatch(/^line 5: malformed JSON: /);
    expect(report.rejections[1].reason).toBe('line 6: expected a JSON object, got [1,2,3]');
    expect(report.rejections[2].reason).toBe('line 7: column "load": expected number, got true');
    expect(report.rejections[3].reason).toBe('line 8: column "load": expected number, got {"x":1}');
    expect(report).toMatchObject({ rowsRead: 7, rowsAccepted: 3, rowsRejected: 4 });
  });

  it('throws MissingColumn when no object has a declared column', async () => {
    const text = '{"timestamp":"2012-01-01T00:00:00Z","load":1}\n{"timestamp":"2012-01-01T01:00:00Z","load":2}\n';
    await expect(loadTable({ format: 'jsonl', text }, schema)).rejects.toThrow(
      'column "temperature" is missing from the source; columns found: "timestamp", "load"',
    );
  });
});

describe('loadTable: large and streamed sources', () => {
  function* generate(rows: number): Generator<string> {
    const start = Date.UTC(2000, 0, 1);
    let chunk = 'timestamp,region,load,temperature\n';
    for (let i = 0; i < rows; i++) {
      chunk += `${new Date(start + i * 3_600_000).toISOString()},${i % 2 ? 'a' : 'b'},${(i % 997) + 0.25},${i % 7 === 0 ? '' : (i % 40) - 5}\n`;
      if (chunk.length > 60_000) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk;
  }
  const big: DatasetSchemaSpec = {
    timestampColumn: 'timestamp',
    entityColumn: 'region',
    columns: [
      { name: 'load', type: 'number' },
      { name: 'temperature', type: 'number', nullable: true },
    ],
  };

  it('loads 200k rows from a file stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fluxora-data-'));
    try {
      const file = join(dir, 'big.csv');
      await writeFile(file, Readable.from(generate(200_000)));
      const t0 = performance.now();
      const { table, report } = await loadTable({ format: 'csv', file }, big);
      const ms = performance.now() - t0;
      expect(report).toMatchObject({ rowsRead: 200_000, rowsAccepted: 200_000, rowsRejected: 0 });
      const region = table.categorical.get('region')!;
      expect(region.dictionary[region.codes[0]]).toBe('a');
      expect(region.dictionary[region.codes[199_999]]).toBe('b');
      let ordered = 0;
      for (let i = 1; i < table.rows; i++) if (table.time[i] > table.time[i - 1] || region.codes[i] !== region.codes[i - 1]) ordered++;
      expect(ordered).toBe(table.rows - 1);
      expect(table.numeric.get('temperature')![100_000]).toBeNaN(); // row 0 ('b', first) has i = 0
      console.log(`200k rows (2 entities, sorted after load) in ${ms.toFixed(0)} ms`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('from a URL', () => {
    let server: Server;
    let base = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/data.csv') {
          res.writeHead(200, { 'content-type': 'text/csv' });
          Readable.from(generate(5000)).pipe(res);
        } else if (req.url === '/slow.csv') {
          res.writeHead(200, { 'content-type': 'text/csv' });
          res.write('timestamp,region,load,temperature\n');
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('streams the body', async () => {
      const { report } = await loadTable({ format: 'csv', url: `${base}/data.csv` }, big);
      expect(report).toMatchObject({ rowsAccepted: 5000, rowsRejected: 0 });
    });

    it('fails on an HTTP error and on a timeout', async () => {
      await expect(loadTable({ format: 'csv', url: `${base}/missing.csv` }, big)).rejects.toMatchObject({
        code: 'FetchFailed',
        message: `GET ${base}/missing.csv: HTTP 404 Not Found`,
      });
      await expect(loadTable({ format: 'csv', url: `${base}/slow.csv` }, big, { fetchTimeoutMs: 300 })).rejects.toMatchObject({
        code: 'FetchFailed',
        message: `GET ${base}/slow.csv: timed out after 300 ms`,
      });
    });

    it('stops when the caller aborts', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stop')), 100);
      await expect(loadTable({ format: 'csv', url: `${base}/slow.csv` }, big, { signal: controller.signal })).rejects.toThrow(
        'stop',
      );
    });
  });
});

const vicElec = fileURLToPath(new URL('../../../shared/data/vic_elec_hourly.csv', import.meta.url));

describe('real data', () => {
  it.skipIf(!existsSync(vicElec))('loads vic_elec_hourly.csv: 26,304 rows, no rejections', async () => {
    const { table, report } = await loadTable({ format: 'csv', file: vicElec }, {
      timestampColumn: 'timestamp',
      columns: [
        { name: 'load', type: 'number', min: 0 },
        { name: 'temperature', type: 'number' },
      ],
    });
    expect(report).toMatchObject({ rowsRead: 26_304, rowsAccepted: 26_304, rowsRejected: 0, rejections: [] });
    expect(table.rows).toBe(26_304);
    expect(new Set(table.offsetMinutes)).toEqual(new Set([600, 660]));
    let hourly = 0;
    for (let i = 1; i < table.rows; i++) if (table.time[i] - table.time[i - 1] === 3_600_000) hourly++;
    expect(hourly).toBe(table.rows - 1);
  });
});
