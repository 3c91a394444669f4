import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../store/embedded.ts';
import { silentLogger } from '../store/logger.ts';
import { DataError } from './data-error.ts';
import { loadTable } from './load.ts';
import { FETCH_ROWS } from './postgres.ts';
import type { DatasetSchemaSpec } from './spec.ts';

/** Against a real PostgreSQL: an embedded server in a temp dir on a free port, stopped afterwards. */

let dir: string;
let server: EmbeddedPostgres;

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

const source = (query: string, timeoutMs = 10_000) =>
  ({ format: 'postgres', connectionString: server.connectionString, query, timeoutMs }) as const;

const schema: DatasetSchemaSpec = {
  timestampColumn: 'ts',
  entityColumn: 'region',
  columns: [
    { name: 'load', type: 'number', min: 0 },
    { name: 'temperature', type: 'number', nullable: true },
    { name: 'holiday', type: 'boolean' },
    { name: 'hour', type: 'integer' },
    { name: 'note', type: 'string', nullable: true },
  ],
};

/** The same rows as CSV text, wall-clock offsets as Melbourne shows them. */
const CSV = [
  'ts,region,load,temperature,holiday,hour,note',
  '2012-04-01T01:30:00+11:00,VIC,4382.825174,21.4,true,1,a',
  '2012-04-01T02:30:00+11:00,VIC,4263.365526,,true,2,',
  '2012-04-01T02:30:00+10:00,VIC,4048.966046,20.7,true,2,"b, c"',
  '2012-04-01T01:30:00+11:00,NSW,7000.5,19,false,1,d',
].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fluxora-data-pg-'));
  await chmod(dir, 0o755); // the server runs as the postgres user when we are root
  server = await startEmbeddedPostgres({
    dataDir: join(dir, 'state'),
    persistent: false,
    durable: false,
    createPostgresUser: true,
    database: 'fluxora_data',
    logger: silentLogger,
  });
  await sql(`ALTER DATABASE fluxora_data SET timezone = 'Australia/Melbourne'`);
  await sql(`CREATE TABLE readings (
    ts timestamptz NOT NULL, region text NOT NULL, load double precision, temperature real,
    holiday boolean NOT NULL, hour integer NOT NULL, note text, extra text)`);
  await sql(`INSERT INTO readings VALUES
    ('2012-04-01T01:30:00+11:00', 'VIC', 4382.825174, 21.4, true, 1, 'a', 'x'),
    ('2012-04-01T02:30:00+11:00', 'VIC', 4263.365526, NULL, true, 2, NULL, 'x'),
    ('2012-04-01T02:30:00+10:00', 'VIC', 4048.966046, 20.7, true, 2, 'b, c', 'x'),
    ('2012-04-01T01:30:00+11:00', 'NSW', 7000.5, 19, false, 1, 'd', 'x')`);
  await sql('CREATE TABLE audit (n integer)');
  await sql(`CREATE FUNCTION sneaky_write() RETURNS SETOF readings LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO audit VALUES (1); RETURN QUERY SELECT * FROM readings; END $$`);
});

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('loadTable from PostgreSQL', () => {
  it('reads columns by name, in any order, with the same values and version as the CSV', async () => {
    const query = 'SELECT extra, note, hour, holiday, temperature, load, region, ts FROM readings ORDER BY random();';
    const { table, report } = await loadTable(source(query), schema);
    const fromCsv = await loadTable({ format: 'csv', text: CSV }, schema);
    expect(report).toMatchObject({ rowsRead: 4, rowsAccepted: 4, rowsRejected: 0 });
    expect(Array.from(table.offsetMinutes)).toEqual([660, 660, 660, 600]);
    expect(Array.from(table.time)).toEqual(Array.from(fromCsv.table.time));
    expect(Array.from(table.numeric.get('load')!)).toEqual([7000.5, 4382.825174, 4263.365526, 4048.966046]);
    expect(Array.from(table.numeric.get('holiday')!)).toEqual([0, 1, 1, 1]);
    const note = table.categorical.get('note')!;
    expect(Array.from(note.codes, (c) => (c < 0 ? null : note.dictionary[c]))).toEqual(['d', 'a', null, 'b, c']);
    expect(report.version).toBe(fromCsv.report.version);
  });

  it(`reads more than ${FETCH_ROWS} rows through the cursor, batch by batch`, async () => {
    const n = 2 * FETCH_ROWS + 345;
    const query = `SELECT to_timestamp(1325376000 + i * 3600) AS ts, 'R' || (i % 3) AS region, i * 0.5 AS load,
      NULL::real AS temperature, i % 7 = 0 AS holiday, i % 24 AS hour, NULL AS note
      FROM generate_series(1, ${n}) AS i`;
    const { table, report } = await loadTable(source(query), schema);
    expect(report).toMatchObject({ rowsRead: n, rowsAccepted: n, rowsRejected: 0 });
    const region = table.categorical.get('region')!;
    expect(region.dictionary[region.codes[0]]).toBe('R0');
    expect(region.dictionary[region.codes[n - 1]]).toBe('R2');
  });

  it('rejects bad rows by their row number and reads epoch-number timestamps', async () => {
    const query = `SELECT * FROM (VALUES
      (1325376000::bigint, 'A', 1.0, 1.0, true, 1, 'x'),
      (1325379600, 'A', -1.0, 1.0, true, 1, 'x'),
      (1325383200, 'A', NULL, 1.0, true, 1, 'x'),
      (1325386800000, 'A', 2.0, 1.0, true, 1, 'x')) AS v(ts, region, load, temperature, holiday, hour, note)`;
    const { table, report } = await loadTable(source(query), schema);
    expect(report.rejections).toEqual([
      { line: 2, reason: 'row 2: column "load": -1 is below the minimum 0' },
      { line: 3, reason: 'row 3: column "load": null in a non-nullable column' },
    ]);
    expect(Array.from(table.time)).toEqual([1325376000000, 1325386800000]);
  });

  it('throws MissingColumn naming the columns the query returned', async () => {
    const err = await loadTable(source('SELECT ts, region, load FROM readings'), schema).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe('MissingColumn');
    expect(err.message).toBe('column "temperature" is missing from the source; columns found: "ts", "region", "load"');
  });

  it('runs the query in a read-only transaction: writes are refused', async () => {
    const err = await loadTable(source('SELECT * FROM sneaky_write()'), schema).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe('QueryFailed');
    expect(err.message).toContain('cannot execute INSERT in a read-only transaction');
    expect((await sql('SELECT count(*)::int AS n FROM audit')).rows[0].n).toBe(0);
  });

  it('aborts a slow query at the statement timeout with a clear error', async () => {
    const started = performance.now();
    const err = await loadTable(source('select pg_sleep(5)', 200), schema).catch((e) => e);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe('QueryTimeout');
    expect(err.message).toBe(
      'the PostgreSQL query exceeded its 200 ms timeout: canceling statement due to statement timeout',
    );
  });

  it('reports a failed connection and a bad query as DataErrors', async () => {
    const url = new URL(server.connectionString);
    url.password = 'wrong';
    await expect(
      loadTable({ format: 'postgres', connectionString: url.toString(), query: 'SELECT 1', timeoutMs: 1000 }, schema),
    ).rejects.toMatchObject({ code: 'SourceUnavailable' });
    await expect(loadTable(source('SELECT * FROM no_such_table'), schema)).rejects.toMatchObject({
      code: 'QueryFailed',
      message: 'the PostgreSQL query failed: relation "no_such_table" does not exist (SQLSTATE 42P01)',
    });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by caller')), 200);
    await expect(loadTable(source('select pg_sleep(5)'), schema, { signal: controller.signal })).rejects.toThrow(
      'stopped by caller',
    );
  });
});
