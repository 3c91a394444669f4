import type pg from 'pg';
import type { StoreLogger } from './logger.ts';

/**
 * Training curves: the loss and validation loss of every epoch of every fit of a
 * TrainingJob run (its tuning trials, backtest folds and final fit), keyed by the
 * run's tuning study name, so the console can draw them while and after it trains.
 */

/** studyOf names a TrainingJob run in the store (its tuning study and curves): namespace/name/uid, uid `local` outside a cluster. */
export function studyOf(namespace: string, name: string, uid: string | undefined): string {
  return `${namespace}/${name}/${uid ?? 'local'}`;
}

/** FINAL_TRIAL is the trial number of the final training's fits (tuning trials count from 0). */
export const FINAL_TRIAL = -1;

/** EpochRow is one recorded epoch. */
export interface EpochRow {
  trial: number;
  stage: string;
  epoch: number;
  loss: number | null;
  valLoss: number | null;
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * EpochRecorder buffers epochs and writes them in batches (every `batch` epochs,
 * or at most `intervalMs` after the first buffered one), so a fast fit does not
 * wait on a round trip per epoch. A failed write is logged and dropped: curves
 * are for people to look at, never a reason to fail a training.
 */
export class EpochRecorder {
  readonly #pool: pg.Pool;
  readonly #study: string;
  readonly #log: StoreLogger;
  readonly #batch: number;
  readonly #intervalMs: number;
  #buffer: EpochRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool, study: string, log: StoreLogger, opts: { batch?: number; intervalMs?: number } = {}) {
    this.#pool = pool;
    this.#study = study;
    this.#log = log;
    this.#batch = opts.batch ?? 50;
    this.#intervalMs = opts.intervalMs ?? 1000;
  }

  /** add buffers one epoch (NaN losses are stored as null). */
  add(trial: number, stage: string, epoch: number, loss: number, valLoss: number): void {
    this.#buffer.push({ trial, stage, epoch, loss: finite(loss), valLoss: finite(valLoss) });
    if (this.#buffer.length >= this.#batch) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#intervalMs).unref();
  }

  /** flush writes what is buffered and resolves when every earlier write ended. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#buffer;
    this.#buffer = [];
    if (rows.length > 0) this.#writing = this.#writing.then(() => this.#write(rows));
    return this.#writing;
  }

  async #write(rows: EpochRow[]): Promise<void> {
    try {
      await this.#pool.query(
        `INSERT INTO training_epochs (study, trial, stage, epoch, loss, val_loss)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::int[], $5::float8[], $6::float8[])
         ON CONFLICT (study, trial, stage, epoch) DO UPDATE SET loss = EXCLUDED.loss, val_loss = EXCLUDED.val_loss`,
        [this.#study, rows.map((r) => r.trial), rows.map((r) => r.stage), rows.map((r) => r.epoch), rows.map((r) => r.loss), rows.map((r) => r.valLoss)],
      );
    } catch (err) {
      this.#log.warn({ err, study: this.#study, epochs: rows.length }, 'Could not record training epochs');
    }
  }
}

/** listEpochs returns a study's recorded epochs ordered by trial, stage and epoch. */
export async function listEpochs(pool: pg.Pool, study: string): Promise<EpochRow[]> {
  const res = await pool.query<{ trial: number; stage: string; epoch: number; loss: number | null; val_loss: number | null }>(
    'SELECT trial, stage, epoch, loss, val_loss FROM training_epochs WHERE study = $1 ORDER BY trial, stage, epoch',
    [study],
  );
  return res.rows.map((r) => ({ trial: r.trial, stage: r.stage, epoch: r.epoch, loss: r.loss, valLoss: r.val_loss }));
}
