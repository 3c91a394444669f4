import pg from 'pg';
import { DataError } from './data-error.ts';
import type { ResolvedSource } from './spec.ts';
import type { TableBuilder } from './table-builder.ts';

/** PostgresSource is a resolved PostgreSQL source: a connection string, a query and its statement timeout. */
export type PostgresSource = Extract<ResolvedSource, { format: 'postgres' }>;

/** FETCH_ROWS is how many rows each FETCH from the server-side cursor returns. */
export const FETCH_ROWS = 10_000;

const CURSOR = 'fluxora_load';
/** Type OIDs of integer, float and numeric columns: a timestamp column of these types holds epoch numbers. */
const NUMERIC_OIDS = new Set([20, 21, 23, 700, 701, 1700]);
const identity = (text: string): string => text;
/** Every column arrives as its text form, converted by the same code as CSV cells. */
const TEXT_TYPES = { getTypeParser: (() => identity) as unknown as typeof pg.types.getTypeParser };

/**
 * readPostgres runs the query in a read-only transaction with a statement timeout
 * of `timeoutMs` (each FETCH is one statement; the client also gives up
 * `timeoutMs` + 10 s after a reply stops coming) and reads the result through a
 * server-side cursor, FETCH_ROWS rows at a time, into the builder. Columns are
 * matched by name; a rejected row is reported by its 1-based row number. A timeout
 * is a DataError `QueryTimeout`, any other server error `QueryFailed`.
 */
export async function readPostgres(source: PostgresSource, builder: TableBuilder, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const timeoutMs = Math.max(1, Math.floor(source.timeoutMs));
  const client = new pg.Client({
    connectionString: source.connectionString,
    query_timeout: timeoutMs + 10_000,
    connectionTimeoutMillis: 30_000,
    application_name: 'fluxora-dataset-loader',
    types: TEXT_TYPES,
  });
  client.on('error', () => undefined);
  const onAbort = (): void => void client.end().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await client.connect();
    } catch (e) {
      throw new DataError('SourceUnavailable', `cannot connect to PostgreSQL: ${(e as Error).message}`, { cause: e });
    }
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
    await client.query(`SET LOCAL datestyle = 'ISO, YMD'`);
    await client.query('SET LOCAL extra_float_digits = 1');
    await client.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${source.query.replace(/[\s;]+$/, '')}`);
    let row = 0;
    let epochColumn = -1;
    for (let first = true; ; first = false) {
      signal?.throwIfAborted();
      const result = await client.query<unknown[]>({ text: `FETCH FORWARD ${FETCH_ROWS} FROM ${CURSOR}`, rowMode: 'array' });
      if (first) {
        const names = result.fields.map((f) => f.name);
        builder.bind(names);
        const at = names.indexOf(builder.requiredColumns()[0]);
        if (NUMERIC_OIDS.has(result.fields[at].dataTypeID)) epochColumn = at;
      }
      for (const cells of result.rows) {
        row++;
        if (epochColumn >= 0 && cells[epochColumn] !== null) cells[epochColumn] = Number(cells[epochColumn]);
        builder.addRow(cells, row);
      }
      if (result.rows.length < FETCH_ROWS) break;
    }
    await client.query('COMMIT');
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw queryError(e, timeoutMs);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

function queryError(e: unknown, timeoutMs: number): unknown {
  if (e instanceof DataError) return e;
  const message = (e as Error)?.message ?? String(e);
  const code = (e as { code?: string })?.code;
  if (code === '57014' || /query read timeout/i.test(message)) {
    return new DataError('QueryTimeout', `the PostgreSQL query exceeded its ${timeoutMs} ms timeout: ${message}`, {
      cause: e,
    });
  }
  return new DataError('QueryFailed', `the PostgreSQL query failed: ${message}${code ? ` (SQLSTATE ${code})` : ''}`, {
    cause: e,
  });
}
