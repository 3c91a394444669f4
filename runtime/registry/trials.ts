import type pg from 'pg';
import { withTransaction } from '../store/transaction.ts';
import { NotFoundError } from './not-found.ts';

/**
 * Hyperparameter-tuning trials: one row per (study, trial) with the parameters
 * tried, the metrics obtained and the outcome, so a tuning job can be resumed and
 * its best trial found.
 */

/** TrialStatus is the state of a trial; only `running` trials are unfinished. */
export type TrialStatus = 'running' | 'completed' | 'failed' | 'pruned';

/** Trial is a stored tuning trial. */
export interface Trial {
  study: string;
  trial: number;
  params: Record<string, unknown>;
  /** Metrics of a finished trial (null while running). */
  metrics: Record<string, unknown> | null;
  status: TrialStatus;
  startedAt: Date;
  finishedAt: Date | null;
}

/** RecordTrialInput describes a trial to record. */
export interface RecordTrialInput {
  study: string;
  /** The trial number; when omitted the next one (max+1, from 0) is allocated atomically. */
  trial?: number;
  params: Record<string, unknown>;
  /** Default `running`; any other status also sets finished_at. */
  status?: TrialStatus;
  metrics?: Record<string, unknown>;
}

const STATUSES: readonly TrialStatus[] = ['running', 'completed', 'failed', 'pruned'];

/**
 * recordTrial stores a trial and returns it. With an explicit `trial` number it
 * upserts (a resumed tuning job re-recording a trial restarts it); without one it
 * allocates the next number under a per-study advisory lock, so parallel workers
 * get distinct numbers.
 */
export async function recordTrial(pool: pg.Pool, input: RecordTrialInput): Promise<Trial> {
  const status = checkStatus(input.status ?? 'running');
  const finished = status !== 'running';
  const values = [input.study, JSON.stringify(input.params ?? {}), input.metrics ? JSON.stringify(input.metrics) : null, status, finished];
  if (input.trial !== undefined) {
    checkTrial(input.trial);
    const res = await pool.query<TrialRow>(
      `INSERT INTO tuning_trials (study, trial, params, metrics, status, finished_at)
       VALUES ($1, $6, $2, $3, $4, CASE WHEN $5 THEN now() END)
       ON CONFLICT (study, trial) DO UPDATE SET params = EXCLUDED.params, metrics = EXCLUDED.metrics,
         status = EXCLUDED.status, started_at = now(), finished_at = EXCLUDED.finished_at
       RETURNING ${COLUMNS}`,
      [...values, input.trial],
    );
    return toTrial(res.rows[0]);
  }
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('fluxora.trials:' || $1, 0))", [input.study]);
    const res = await client.query<TrialRow>(
      `INSERT INTO tuning_trials (study, trial, params, metrics, status, finished_at)
       SELECT $1, coalesce(max(trial) + 1, 0), $2, $3, $4, CASE WHEN $5 THEN now() END
         FROM tuning_trials WHERE study = $1
       RETURNING ${COLUMNS}`,
      values,
    );
    return toTrial(res.rows[0]);
  });
}

/**
 * finishTrial records the outcome of a trial (default `completed`) with its metrics
 * and finish time, and returns it; NotFoundError when the trial was never recorded.
 */
export async function finishTrial(
  pool: pg.Pool,
  study: string,
  trial: number,
  outcome: { metrics: Record<string, unknown>; status?: Exclude<TrialStatus, 'running'> },
): Promise<Trial> {
  checkTrial(trial);
  const status = checkStatus(outcome.status ?? 'completed');
  if (status === 'running') throw new TypeError('finishTrial: status must be completed, failed or pruned');
  const res = await pool.query<TrialRow>(
    `UPDATE tuning_trials SET metrics = $3, status = $4, finished_at = now()
      WHERE study = $1 AND trial = $2 RETURNING ${COLUMNS}`,
    [study, trial, JSON.stringify(outcome.metrics ?? {}), status],
  );
  if (res.rows.length === 0) throw new NotFoundError('trial', study, { version: trial });
  return toTrial(res.rows[0]);
}

/** listTrials returns the trials of `study` ordered by trial number (empty for an unknown study). */
export async function listTrials(pool: pg.Pool, study: string): Promise<Trial[]> {
  const res = await pool.query<TrialRow>(`SELECT ${COLUMNS} FROM tuning_trials WHERE study = $1 ORDER BY trial`, [study]);
  return res.rows.map(toTrial);
}

/**
 * bestTrial returns the completed trial of `study` with the lowest (`minimize`) or
 * highest (`maximize`) numeric value of `metrics[metric]`; ties go to the earlier
 * trial. Undefined when no completed trial has that metric as a number.
 */
export async function bestTrial(
  pool: pg.Pool,
  study: string,
  metric: string,
  goal: 'minimize' | 'maximize',
): Promise<Trial | undefined> {
  if (goal !== 'minimize' && goal !== 'maximize') throw new TypeError(`bestTrial: goal must be minimize or maximize, got ${goal}`);
  const order = goal === 'minimize' ? 'ASC' : 'DESC';
  const res = await pool.query<TrialRow>(
    `SELECT ${COLUMNS} FROM tuning_trials
      WHERE study = $1 AND status = 'completed' AND jsonb_typeof(metrics -> $2::text) = 'number'
      ORDER BY (metrics ->> $2::text)::float8 ${order}, trial ASC
      LIMIT 1`,
    [study, metric],
  );
  return res.rows.length > 0 ? toTrial(res.rows[0]) : undefined;
}

interface TrialRow {
  study: string;
  trial: number;
  params: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  status: TrialStatus;
  started_at: Date;
  finished_at: Date | null;
}

const COLUMNS = 'study, trial, params, metrics, status, started_at, finished_at';

function toTrial(row: TrialRow): Trial {
  return {
    study: row.study,
    trial: row.trial,
    params: row.params,
    metrics: row.metrics,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function checkStatus(status: TrialStatus): TrialStatus {
  if (!STATUSES.includes(status)) throw new TypeError(`invalid trial status ${JSON.stringify(status)}`);
  return status;
}

function checkTrial(trial: number): void {
  if (!Number.isInteger(trial) || trial < 0 || trial > 2_147_483_647) throw new TypeError(`invalid trial number ${trial}`);
}
