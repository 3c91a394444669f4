import type pg from 'pg';
import { defaultStoreLogger, type StoreLogger } from './logger.ts';
import { redactError } from './redact.ts';

/**
 * The prediction log: every served prediction (model, version, time, input
 * features, outputs) written to `prediction_log` off the request path, and read
 * back as columns for drift monitoring. Logging is best effort by design: serving
 * must never wait for, or fail because of, the database.
 */

/** PredictionRow is one logged prediction. */
export interface PredictionRow {
  model: string;
  version: number;
  /** Feature values in `featureNames` order (copied on add; stored as float4). */
  features: ArrayLike<number>;
  /** Feature names; not copied, so pass an array that is not mutated (e.g. the model's inputNames). */
  featureNames: readonly string[];
  /** Model outputs (e.g. one value per horizon step; copied on add; stored as float4). */
  outputs: ArrayLike<number>;
  /** When the prediction was made (Date or epoch ms). Default: the time of add(). */
  ts?: Date | number;
}

/** PredictionLogCounters are the writer's metrics. */
export interface PredictionLogCounters {
  /** Rows inserted. */
  written: number;
  /** Rows lost: buffer full, invalid row, failed flush, or left over at close. */
  dropped: number;
  /** Rows buffered or being inserted. */
  pending: number;
  /** Flushes (batches) that failed. */
  failedFlushes: number;
}

/** PredictionLogOptions tune a PredictionLogWriter. */
export interface PredictionLogOptions {
  /** Maximum rows held (buffered plus in flight); further adds are dropped. Default 10 000. */
  capacity?: number;
  /** Rows per INSERT; reaching it triggers a flush. Default 500. */
  batchSize?: number;
  /** Flush whatever is buffered at least this often. Default 1000 ms. */
  flushIntervalMs?: number;
  logger?: StoreLogger;
}

interface Entry {
  model: string;
  version: number;
  ts: number;
  names: string;
  features: Float64Array;
  outputs: Float64Array;
}

const INSERT = `INSERT INTO prediction_log (model, version, ts, feature_names, features, outputs)
SELECT u.m, u.v, to_timestamp(u.t / 1000.0), u.n::text[], u.f::real[], u.o::real[]
  FROM unnest($1::text[], $2::int4[], $3::float8[], $4::text[], $5::text[], $6::text[]) AS u(m, v, t, n, f, o)`;

/**
 * PredictionLogWriter buffers prediction rows in memory (bounded by `capacity`) and
 * inserts them in batches of `batchSize` (one INSERT ... SELECT FROM unnest(...) per
 * batch) when a batch is full or every `flushIntervalMs`. add() is synchronous and
 * never blocks or throws: a full buffer drops the row. A failed flush (database
 * down) drops that batch, logs one warning per outage (and one info line when
 * writes resume), and the writer keeps going; while the database is down it tries
 * one batch per interval.
 */
export class PredictionLogWriter {
  readonly #pool: pg.Pool;
  readonly #capacity: number;
  readonly #batchSize: number;
  readonly #logger: StoreLogger;
  readonly #timer: NodeJS.Timeout;
  #buffer: Entry[] = [];
  #inFlight = 0;
  #written = 0;
  #dropped = 0;
  #failedFlushes = 0;
  /** Rows accepted into the buffer, and rows that left it (written or dropped): flush() waits on these. */
  #accepted = 0;
  #processed = 0;
  #draining: Promise<void> | undefined;
  #kickScheduled = false;
  #outage = false;
  #outageDropped = 0;
  #closing: Promise<PredictionLogCounters> | undefined;
  readonly #namesCache = new WeakMap<readonly string[], string>();

  /** The writer starts its flush timer at once; call close() to stop it. */
  constructor(pool: pg.Pool, options: PredictionLogOptions = {}) {
    this.#pool = pool;
    this.#capacity = Math.max(1, Math.floor(options.capacity ?? 10_000));
    this.#batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
    this.#logger = options.logger ?? defaultStoreLogger();
    this.#timer = setInterval(() => {
      if (this.#buffer.length > 0) void this.#start(true);
    }, options.flushIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** counters returns the current metrics. */
  get counters(): PredictionLogCounters {
    return {
      written: this.#written,
      dropped: this.#dropped,
      pending: this.#buffer.length + this.#inFlight,
      failedFlushes: this.#failedFlushes,
    };
  }

  /**
   * add queues a row and returns true, or drops it (counted in `dropped`) and returns
   * false when the buffer is full, the row is malformed, or the writer is closed.
   * Synchronous; never throws.
   */
  add(row: PredictionRow): boolean {
    try {
      if (this.#closing !== undefined || this.#buffer.length + this.#inFlight >= this.#capacity) {
        this.#dropped++;
        return false;
      }
      const entry = this.#encode(row);
      if (entry === undefined) {
        this.#dropped++;
        return false;
      }
      this.#buffer.push(entry);
      this.#accepted++;
      if (this.#buffer.length >= this.#batchSize && !this.#kickScheduled && this.#draining === undefined) {
        this.#kickScheduled = true;
        setImmediate(() => {
          this.#kickScheduled = false;
          void this.#start(true);
        });
      }
      return true;
    } catch {
      this.#dropped++;
      return false;
    }
  }

  /** flush writes every row added before the call (rows of failed batches are dropped); never rejects. */
  async flush(): Promise<void> {
    const target = this.#accepted;
    while (this.#processed < target) {
      await (this.#draining ?? this.#start(false));
    }
  }

  /**
   * close stops the timer and refuses further rows, then writes what is buffered
   * for at most `deadlineMs`; rows still buffered after the deadline are dropped.
   * Resolves with the final counters (a batch still in flight at the deadline
   * completes in the background). Idempotent.
   */
  close(deadlineMs = 5000): Promise<PredictionLogCounters> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([this.flush(), deadline]);
      clearTimeout(timer);
      const left = this.#buffer.splice(0);
      if (left.length > 0) {
        this.#dropped += left.length;
        this.#processed += left.length;
        this.#logger.warn({ dropped: left.length, deadlineMs }, 'prediction log closed with unwritten rows');
      }
      return this.counters;
    })();
    return this.#closing;
  }

  #start(stopOnFailure: boolean): Promise<void> {
    this.#draining ??= this.#drain(stopOnFailure).finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drain(stopOnFailure: boolean): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch =
        this.#buffer.length <= this.#batchSize ? this.#buffer.splice(0) : this.#buffer.splice(0, this.#batchSize);
      this.#inFlight += batch.length;
      let failed = false;
      try {
        await this.#insert(batch);
        this.#written += batch.length;
        if (this.#outage) {
          this.#outage = false;
          this.#logger.info({ droppedDuringOutage: this.#outageDropped }, 'prediction log writes resumed');
          this.#outageDropped = 0;
        }
      } catch (err) {
        failed = true;
        this.#dropped += batch.length;
        this.#failedFlushes++;
        this.#outageDropped += batch.length;
        if (!this.#outage) {
          this.#outage = true;
          this.#logger.warn(
            { err: redactError(err), dropped: batch.length },
            'prediction log flush failed: dropping batches until the database is back',
          );
        } else {
          this.#logger.debug({ err: redactError(err), dropped: batch.length }, 'prediction log flush failed again');
        }
      } finally {
        this.#inFlight -= batch.length;
        this.#processed += batch.length;
      }
      if (failed && stopOnFailure) return;
    }
  }

  async #insert(batch: Entry[]): Promise<void> {
    const n = batch.length;
    const models = new Array<string>(n);
    const versions = new Array<number>(n);
    const times = new Array<number>(n);
    const names = new Array<string>(n);
    const features = new Array<string>(n);
    const outputs = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const e = batch[i];
      models[i] = e.model;
      versions[i] = e.version;
      times[i] = e.ts;
      names[i] = e.names;
      features[i] = `{${e.features.join(',')}}`;
      outputs[i] = `{${e.outputs.join(',')}}`;
    }
    await this.#pool.query(INSERT, [models, versions, times, names, features, outputs]);
  }

  #encode(row: PredictionRow): Entry | undefined {
    if (typeof row.model !== 'string' || row.model.length === 0) return undefined;
    if (!Number.isInteger(row.version)) return undefined;
    const names = row.featureNames;
    if (!Array.isArray(names) || row.features == null || row.outputs == null) return undefined;
    if (row.features.length !== names.length) return undefined;
    const ts = row.ts === undefined ? Date.now() : typeof row.ts === 'number' ? row.ts : row.ts.getTime();
    if (!Number.isFinite(ts)) return undefined;
    let literal = this.#namesCache.get(names);
    if (literal === undefined) {
      literal = arrayLiteral(names);
      this.#namesCache.set(names, literal);
    }
    return {
      model: row.model,
      version: row.version,
      ts,
      names: literal,
      features: new Float64Array(row.features),
      outputs: new Float64Array(row.outputs),
    };
  }
}

/** PredictionWindow is a slice of the prediction log in columnar form, oldest row first. */
export interface PredictionWindow {
  rows: number;
  /** Prediction times, epoch ms. */
  time: Float64Array;
  /** Model version of each row. */
  versions: Int32Array;
  /** One column per feature name seen in the window (NaN where a row lacks that feature). */
  features: Map<string, Float64Array>;
  /** One column per output index (NaN where a row has fewer outputs). */
  outputs: Float64Array[];
}

/**
 * readPredictionWindow reads the most recent `limit` predictions of `model` made at
 * or after `since` (optionally of one version) and returns them as columns, oldest
 * first, for drift computation. Rows with equal timestamps come in no set order.
 */
export async function readPredictionWindow(
  pool: pg.Pool,
  model: string,
  since: Date,
  limit: number,
  options: { version?: number } = {},
): Promise<PredictionWindow> {
  const params: unknown[] = [model, since, Math.max(0, Math.floor(limit))];
  if (options.version !== undefined) params.push(options.version);
  // ORDER BY ts alone follows the (model, ts) index backwards and stops at the limit; the
  // text casts run on the kept rows only. Arrays come back as text and are split here,
  // several times faster than pg's generic array parser.
  const res = await pool.query<{ version: number; t: number; n: string; f: string; o: string }>(
    `SELECT version, (extract(epoch FROM ts) * 1000)::float8 AS t, feature_names::text AS n, features::text AS f, outputs::text AS o
       FROM (SELECT version, ts, feature_names, features, outputs
               FROM prediction_log
              WHERE model = $1 AND ts >= $2${options.version !== undefined ? ' AND version = $4' : ''}
              ORDER BY ts DESC
              LIMIT $3) recent`,
    params,
  );
  const rows = res.rows.sort((a, b) => a.t - b.t);
  const n = rows.length;
  const time = new Float64Array(n);
  const versions = new Int32Array(n);
  const features = new Map<string, Float64Array>();
  const outputs: Float64Array[] = [];
  const namesByLiteral = new Map<string, Float64Array[]>();
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    time[i] = r.t;
    versions[i] = r.version;
    let columns = namesByLiteral.get(r.n);
    if (columns === undefined) {
      columns = parseTextArray(r.n).map((name) => {
        let column = features.get(name);
        if (column === undefined) {
          column = new Float64Array(n).fill(Number.NaN);
          features.set(name, column);
        }
        return column;
      });
      namesByLiteral.set(r.n, columns);
    }
    const values = parseNumberArray(r.f);
    for (let j = 0; j < columns.length; j++) columns[j][i] = values[j] ?? Number.NaN;
    const outs = parseNumberArray(r.o);
    for (let j = 0; j < outs.length; j++) {
      if (outputs[j] === undefined) outputs[j] = new Float64Array(n).fill(Number.NaN);
      outputs[j][i] = outs[j];
    }
  }
  return { rows: n, time, versions, features, outputs };
}

/** prunePredictionLog deletes predictions older than `before` and returns how many went (retention). */
export async function prunePredictionLog(pool: pg.Pool, before: Date, model?: string): Promise<number> {
  const res =
    model === undefined
      ? await pool.query('DELETE FROM prediction_log WHERE ts < $1', [before])
      : await pool.query('DELETE FROM prediction_log WHERE model = $1 AND ts < $2', [model, before]);
  return res.rowCount ?? 0;
}

function arrayLiteral(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += `"${String(values[i]).replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

/** Parses a one-dimensional real[] text literal such as {1.5,NaN,-Infinity}. */
function parseNumberArray(literal: string): number[] {
  if (literal.length <= 2) return [];
  const parts = literal.slice(1, -1).split(',');
  const out = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = parts[i] === 'NULL' ? Number.NaN : Number(parts[i]);
  return out;
}

/** Parses a one-dimensional text[] literal: {a,"b c","d\\"e"}. */
function parseTextArray(literal: string): string[] {
  const out: string[] = [];
  let i = 1;
  const end = literal.length - 1;
  while (i < end) {
    let value = '';
    if (literal[i] === '"') {
      i++;
      while (i < end && literal[i] !== '"') {
        if (literal[i] === '\\') i++;
        value += literal[i];
        i++;
      }
      i++; // closing quote
    } else {
      while (i < end && literal[i] !== ',') value += literal[i++];
    }
    out.push(value);
    i++; // comma
  }
  return out;
}
