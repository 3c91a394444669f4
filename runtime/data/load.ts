import { readCsv } from './csv.ts';
import { readJsonl } from './jsonl.ts';
import { openTextSource } from './source.ts';
import type { DatasetSchemaSpec, ResolvedSource } from './spec.ts';
import { type LoadResult, TableBuilder } from './table-builder.ts';

/** LoadOptions tunes loadTable: an abort signal, and the URL download timeout (default 120 s). */
export interface LoadOptions {
  signal?: AbortSignal;
  fetchTimeoutMs?: number;
}

/**
 * loadTable reads a Dataset's source into a columnar Table and reports what it
 * read: rows failing the schema (wrong type, null in a non-nullable column, out of
 * [min, max], bad timestamp, wrong CSV field count, malformed JSON, duplicate
 * (entity, time)) are counted and the first 20 kept with their line numbers. Rows
 * end up sorted by (entity, time). A declared column missing from the source, an
 * unreadable source or a failed query throws a DataError. The report's version is
 * the content hash of the accepted values.
 */
export async function loadTable(
  source: ResolvedSource,
  schema: DatasetSchemaSpec,
  opts: LoadOptions = {},
): Promise<LoadResult> {
  const { signal } = opts;
  signal?.throwIfAborted();
  if (source.format === 'postgres') {
    const builder = new TableBuilder(schema, 'row');
    const { readPostgres } = await import('./postgres.ts'); // pg is loaded only when needed
    await readPostgres(source, builder, signal);
    return builder.finish();
  }
  const builder = new TableBuilder(schema, 'line');
  const input = await openTextSource(source, signal, opts.fetchTimeoutMs);
  if (source.format === 'csv') await readCsv(input, builder, signal);
  else await readJsonl(input, builder, signal);
  return builder.finish();
}
