import type pg from 'pg';

/**
 * Drift results: the outcome of each drift-monitor run (per-feature statistics,
 * scores, verdict) as a JSON document, kept as history per monitor and model.
 */

/** DriftResult is a stored drift-monitor run. */
export interface DriftResult {
  id: number;
  monitor: string;
  model: string;
  version: number | null;
  ranAt: Date;
  result: Record<string, unknown>;
}

/** recordDriftResult stores one monitor run and returns it with its id. */
export async function recordDriftResult(
  pool: pg.Pool,
  input: { monitor: string; model: string; version?: number | null; result: Record<string, unknown>; ranAt?: Date },
): Promise<DriftResult> {
  const res = await pool.query<Row>(
    `INSERT INTO drift_results (monitor, model, version, ran_at, result)
     VALUES ($1, $2, $3, coalesce($4, now()), $5)
     RETURNING ${COLUMNS}`,
    [input.monitor, input.model, input.version ?? null, input.ranAt ?? null, JSON.stringify(input.result)],
  );
  return toResult(res.rows[0]);
}

/**
 * listDriftResults returns runs, newest first, filtered by monitor and/or model and
 * optionally only those at or after `since`; at most `limit` (default 100).
 */
export async function listDriftResults(
  pool: pg.Pool,
  filter: { monitor?: string; model?: string; since?: Date; limit?: number } = {},
): Promise<DriftResult[]> {
  const res = await pool.query<Row>(
    `SELECT ${COLUMNS} FROM drift_results
      WHERE ($1::text IS NULL OR monitor = $1) AND ($2::text IS NULL OR model = $2)
        AND ($3::timestamptz IS NULL OR ran_at >= $3)
      ORDER BY ran_at DESC, id DESC
      LIMIT $4`,
    [filter.monitor ?? null, filter.model ?? null, filter.since ?? null, filter.limit ?? 100],
  );
  return res.rows.map(toResult);
}

/** latestDriftResult returns the most recent run of `monitor`, or undefined. */
export async function latestDriftResult(pool: pg.Pool, monitor: string): Promise<DriftResult | undefined> {
  const [latest] = await listDriftResults(pool, { monitor, limit: 1 });
  return latest;
}

interface Row {
  id: string;
  monitor: string;
  model: string;
  version: number | null;
  ran_at: Date;
  result: Record<string, unknown>;
}

const COLUMNS = 'id, monitor, model, version, ran_at, result';

function toResult(row: Row): DriftResult {
  return { id: Number(row.id), monitor: row.monitor, model: row.model, version: row.version, ranAt: row.ran_at, result: row.result };
}
