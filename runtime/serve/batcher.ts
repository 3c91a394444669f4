import { errors, ServeError } from './errors.ts';
import { isStandalone } from './float32-pool.ts';

/** BatchOutputs are forecasts row-major, rows x horizon: point forecasts and interval bounds. */
export interface BatchOutputs {
  point: Float32Array;
  lower: Float32Array;
  upper: Float32Array;
}

/** PredictFn runs the model on n rows at once (LoadedModel.predictBatch, or an async stand-in). */
export type PredictFn = (X: Float32Array, n: number) => BatchOutputs | Promise<BatchOutputs>;

/** Scheduler runs `fn` once after `delayMs` (0: after the current I/O phase) and returns a cancel function. */
export type Scheduler = (fn: () => void, delayMs: number) => () => void;

/** BatchReport describes one predict call, for metrics: rows and requests in it, duration, the error if it failed. */
export interface BatchReport {
  rows: number;
  requests: number;
  durationMs: number;
  error?: unknown;
}

/** BatcherOptions configures a Batcher. */
export interface BatcherOptions {
  /** Most rows one predict call gets; a request with more rows runs as a batch of its own. */
  maxBatchSize: number;
  /** Longest a queued request waits for others before its batch runs anyway. */
  maxLatencyMs: number;
  /** Most rows queued at once; beyond that `submit` sheds load with FST_FLUXORA_OVERLOADED (503). */
  maxQueue: number;
  predict: PredictFn;
  /**
   * Also run the queue as soon as the event loop has read all the input that is
   * ready (checked with `defer` after the current I/O phase) instead of always
   * waiting out maxLatencyMs (default true). A lone request then does not wait for
   * company that is not coming, while under load the batch holds everything that
   * arrived meanwhile and grows by itself as the model call gets longer. Turn it
   * off to trade latency for fewer model calls at moderate load.
   */
  flushWhenIdle?: boolean;
  /** Timer source (default: setTimeout, or setImmediate for 0 ms); tests inject a manual one. */
  schedule?: Scheduler;
  /** Runs `fn` after the current I/O phase (default setImmediate), for flushWhenIdle; tests inject a manual one. */
  defer?: (fn: () => void) => void;
  /** Clock in milliseconds (default performance.now). */
  now?: () => number;
  /** Called after every predict call, successful or not. */
  onBatch?: (report: BatchReport) => void;
}

/**
 * BatchCallback receives the whole batch's outputs and where its own rows are in
 * them (values `start` to `end` of each output), or why it failed. Handing the
 * range instead of three views per request saves their allocation on the hot
 * path. It must not throw; a throw is swallowed so the batch's other callers
 * still get their results.
 */
export type BatchCallback = (error: unknown, outputs: BatchOutputs | undefined, start: number, end: number) => void;

interface Pending {
  X: Float32Array;
  rows: number;
  enqueuedAt: number;
  done: BatchCallback;
}

/** defaultScheduler uses setImmediate for a zero delay (join what this I/O phase brings) and setTimeout otherwise. */
export const defaultScheduler: Scheduler = (fn, delayMs) => {
  if (delayMs <= 0) {
    const handle = setImmediate(fn);
    return () => clearImmediate(handle);
  }
  const handle = setTimeout(fn, delayMs);
  return () => clearTimeout(handle);
};

/**
 * Batcher is the micro-batcher between HTTP handlers and the model: `submit` queues a
 * request's rows and resolves with its slice of the outputs once they ran in one
 * `predict` call together with whatever else was queued. A batch runs as soon as it
 * holds `maxBatchSize` rows, or `maxLatencyMs` after its oldest request arrived;
 * one batch runs at a time (a synchronous predict finishes inline). By default
 * (`flushWhenIdle`) it also runs once the event loop has read all the input that
 * is ready. The queue is bounded by `maxQueue` rows: past it, `submit` rejects at
 * once instead of growing.
 * A failing predict rejects only the requests of its batch.
 */
export class Batcher {
  readonly #maxBatchSize: number;
  readonly #maxLatencyMs: number;
  readonly #maxQueue: number;
  readonly #predict: PredictFn;
  readonly #schedule: Scheduler;
  readonly #flushWhenIdle: boolean;
  readonly #defer: (fn: () => void) => void;
  readonly #now: () => number;
  readonly #onBatch: ((report: BatchReport) => void) | undefined;
  #queue: Pending[] = [];
  #head = 0;
  #queuedRows = 0;
  #running = false;
  #closed = false;
  #draining = false;
  #cancelTimer: (() => void) | undefined;
  #idleCheckPending = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: BatcherOptions) {
    requirePositiveInteger('maxBatchSize', options.maxBatchSize);
    requirePositiveInteger('maxQueue', options.maxQueue);
    if (!(options.maxLatencyMs >= 0 && Number.isFinite(options.maxLatencyMs))) {
      throw new RangeError(`batching.maxLatencyMs: expected a number >= 0, got ${options.maxLatencyMs}`);
    }
    this.#maxBatchSize = options.maxBatchSize;
    this.#maxLatencyMs = options.maxLatencyMs;
    this.#maxQueue = options.maxQueue;
    this.#predict = options.predict;
    this.#schedule = options.schedule ?? defaultScheduler;
    this.#flushWhenIdle = options.flushWhenIdle ?? true;
    this.#defer = options.defer ?? ((fn) => setImmediate(fn));
    this.#now = options.now ?? (() => performance.now());
    this.#onBatch = options.onBatch;
  }

  /** queuedRows is the number of rows waiting for a batch (the queue-depth gauge). */
  get queuedRows(): number {
    return this.#queuedRows;
  }

  /** queuedRequests is the number of requests waiting for a batch. */
  get queuedRequests(): number {
    return this.#queue.length - this.#head;
  }

  /** maxQueue is the queue bound in rows; a request with more rows can never be accepted. */
  get maxQueue(): number {
    return this.#maxQueue;
  }

  /**
   * submit queues `rows` rows (X holds rows x nInputs values, row-major) and resolves
   * with views of this request's rows of the batch outputs. Rejects with
   * FST_FLUXORA_OVERLOADED when the queue would exceed `maxQueue` rows, with
   * FST_FLUXORA_SHUTTING_DOWN after `close`, and with FST_FLUXORA_PREDICTION_FAILED
   * when its batch fails.
   */
  submit(X: Float32Array, rows: number): Promise<BatchOutputs> {
    return new Promise<BatchOutputs>((resolve, reject) => {
      this.enqueue(X, rows, (error, outputs, start, end) => {
        if (error !== undefined) {
          reject(error);
          return;
        }
        const { point, lower, upper } = outputs!;
        resolve({ point: point.subarray(start, end), lower: lower.subarray(start, end), upper: upper.subarray(start, end) });
      });
    });
  }

  /**
   * enqueue is submit with a callback instead of a promise, for the hot path: no
   * promise and no extra microtask per request. `done` runs once, with the same
   * errors submit rejects with; for a request refused at once (overloaded, closed,
   * not whole rows) it runs before enqueue returns.
   */
  enqueue(X: Float32Array, rows: number, done: BatchCallback): void {
    if (this.#closed) {
      done(new errors.FST_FLUXORA_SHUTTING_DOWN(), undefined, 0, 0);
      return;
    }
    if (!(Number.isInteger(rows) && rows > 0) || X.length % rows !== 0) {
      done(new RangeError(`submit: ${X.length} values is not ${rows} whole rows`), undefined, 0, 0);
      return;
    }
    if (this.#queuedRows + rows > this.#maxQueue) {
      done(new errors.FST_FLUXORA_OVERLOADED(this.#queuedRows, this.#maxQueue), undefined, 0, 0);
      return;
    }
    const now = this.#now();
    this.#queue.push({ X, rows, enqueuedAt: now, done });
    this.#queuedRows += rows;
    this.#kick(false, now);
  }

  /**
   * drain stops waiting: what is queued runs now and every later request runs as it
   * arrives, without waiting for company. Resolves once the queue is empty and no
   * batch is running. Used when shutting down, so in-flight requests finish fast.
   */
  drain(): Promise<void> {
    this.#draining = true;
    this.#kick();
    return this.idle();
  }

  /**
   * close drains (see drain) and refuses new requests with FST_FLUXORA_SHUTTING_DOWN.
   */
  close(): Promise<void> {
    this.#closed = true;
    return this.drain();
  }

  /** idle resolves once the queue is empty and no batch is running. */
  idle(): Promise<void> {
    if (!this.#running && this.queuedRequests === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * #kick runs batches while one is due, then arms the timer (and idle check) for
   * the oldest request left. `at` is the time now when the caller has just read
   * the clock (enqueue), so the clock is read once per request.
   */
  #kick(headWasDue = false, at?: number): void {
    let headIsDue = headWasDue;
    let now = at;
    while (!this.#running && this.queuedRequests > 0) {
      let due = headIsDue || this.#draining || this.#queuedRows >= this.#maxBatchSize;
      if (!due) {
        now ??= this.#now();
        due = now - this.#queue[this.#head].enqueuedAt >= this.#maxLatencyMs;
      }
      if (!due) break;
      headIsDue = false;
      this.#runBatch();
      // A batch took time: read the clock again when it is needed.
      now = undefined;
    }
    if (this.#running || this.queuedRequests === 0) {
      this.#disarm();
      if (!this.#running) this.#notifyIdle();
      return;
    }
    if (this.#flushWhenIdle && !this.#idleCheckPending) {
      this.#idleCheckPending = true;
      this.#defer(() => {
        this.#idleCheckPending = false;
        this.#kick(true);
      });
    }
    if (this.#cancelTimer === undefined) {
      const waited = (now ?? this.#now()) - this.#queue[this.#head].enqueuedAt;
      this.#cancelTimer = this.#schedule(
        () => {
          this.#cancelTimer = undefined;
          this.#kick(true);
        },
        Math.max(0, this.#maxLatencyMs - waited),
      );
    }
  }

  #disarm(): void {
    if (this.#cancelTimer !== undefined) {
      this.#cancelTimer();
      this.#cancelTimer = undefined;
    }
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** #takeBatch removes requests from the head of the queue, FIFO, up to maxBatchSize rows (at least one request). */
  #takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head];
      if (batch.length > 0 && rows + next.rows > this.#maxBatchSize) break;
      batch.push(next);
      rows += next.rows;
      this.#head++;
    }
    this.#queuedRows -= rows;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return batch;
  }

  #runBatch(): void {
    // The timer is armed for the oldest request; a batch changes which one that is.
    this.#disarm();
    const batch = this.#takeBatch();
    const rows = batch.reduce((sum, p) => sum + p.rows, 0);
    const started = this.#now();
    this.#running = true;
    let result: BatchOutputs | Promise<BatchOutputs>;
    try {
      result = this.#predict(concatRows(batch), rows);
    } catch (error) {
      this.#finish(batch, rows, started, undefined, error);
      return;
    }
    if (isPromise(result)) {
      result.then(
        (outputs) => this.#finishAndKick(batch, rows, started, outputs, undefined),
        (error: unknown) => this.#finishAndKick(batch, rows, started, undefined, error ?? new Error('predict rejected')),
      );
    } else {
      this.#finish(batch, rows, started, result, undefined);
    }
  }

  #finishAndKick(batch: Pending[], rows: number, started: number, outputs: BatchOutputs | undefined, error: unknown): void {
    this.#finish(batch, rows, started, outputs, error);
    this.#kick();
  }

  #finish(batch: Pending[], rows: number, started: number, outputs: BatchOutputs | undefined, error: unknown): void {
    this.#running = false;
    let failure = error;
    let horizon = 0;
    if (failure === undefined) {
      horizon = outputHorizon(outputs, rows);
      if (horizon === 0) failure = new Error(`the model returned outputs that are not ${rows} rows of a common horizon`);
    }
    try {
      this.#onBatch?.({
        rows,
        requests: batch.length,
        durationMs: this.#now() - started,
        ...(failure === undefined ? {} : { error: failure }),
      });
    } catch {
      // A metrics callback must not take the batch's callers down with it.
    }
    if (failure !== undefined) {
      const rejection =
        failure instanceof ServeError ? failure : new errors.FST_FLUXORA_PREDICTION_FAILED(messageOf(failure));
      for (const pending of batch) call(pending.done, rejection, undefined, 0, 0);
      return;
    }
    let start = 0;
    for (const pending of batch) {
      const end = start + pending.rows * horizon;
      call(pending.done, undefined, outputs, start, end);
      start = end;
    }
  }
}

/**
 * concatRows joins the batch's inputs into one row-major array that owns its buffer
 * (no copy for a batch of one that already does): models may hand `X.buffer` to
 * native code.
 */
function concatRows(batch: Pending[]): Float32Array {
  if (batch.length === 1 && isStandalone(batch[0].X)) return batch[0].X;
  let length = 0;
  for (const pending of batch) length += pending.X.length;
  const X = new Float32Array(length);
  let offset = 0;
  for (const pending of batch) {
    X.set(pending.X, offset);
    offset += pending.X.length;
  }
  return X;
}

/** outputHorizon is the common horizon of the three outputs for `rows` rows, or 0 when they do not agree. */
function outputHorizon(outputs: BatchOutputs | undefined, rows: number): number {
  if (outputs == null) return 0;
  const { point, lower, upper } = outputs;
  if (!(point instanceof Float32Array && lower instanceof Float32Array && upper instanceof Float32Array)) return 0;
  if (point.length === 0 || point.length % rows !== 0) return 0;
  if (lower.length !== point.length || upper.length !== point.length) return 0;
  return point.length / rows;
}

/** call runs a caller's callback; one that throws must not keep the batch's other callers from theirs. */
function call(done: BatchCallback, error: unknown, outputs: BatchOutputs | undefined, start: number, end: number): void {
  try {
    done(error, outputs, start, end);
  } catch {
    // A BatchCallback must not throw (see its contract); the others still run.
  }
}

function isPromise(value: unknown): value is Promise<BatchOutputs> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function requirePositiveInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`batching.${name}: expected a positive integer, got ${value}`);
  }
}
