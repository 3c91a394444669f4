/** PredictionRow is one served forecast as the prediction log stores it: one input row and its point forecast. */
export interface PredictionRow {
  model: string;
  version: number;
  /** The row's inputs, in `names` order. */
  features: Float32Array;
  /** The model's input names. */
  names: string[];
  /** The point forecast, one value per horizon step. */
  outputs: Float32Array;
}

/**
 * PredictionLogSink is where served predictions go (the store's writer plugs in
 * here). `add` must never block: a sink buffers and drops under pressure. A sink
 * that counts its drops exposes them as `dropped` (a number or a getter) or as
 * `counters().dropped`; the server publishes them as fluxora_prediction_log_dropped_total.
 */
export interface PredictionLogSink {
  add(row: PredictionRow): void;
  readonly dropped?: number;
  counters?(): { dropped?: number };
}

/** PredictionLogWarner is the part of a pino logger the recorder warns through. */
export interface PredictionLogWarner {
  warn(fields: object, message: string): void;
}

/** PredictionRecorder hands served rows to the sink, never failing the request. */
export interface PredictionRecorder {
  /**
   * record passes each of `rows` rows of X (nInputs wide) with its point forecast
   * (values `start` to `end` of `point`, rows x horizon) to the sink.
   */
  record(model: string, version: number, names: string[], X: Float32Array, rows: number, point: Float32Array, start?: number, end?: number): void;
  /** dropped is the sink's own drop count plus rows whose `add` threw, or undefined with no sink. */
  dropped(): number | undefined;
}

/**
 * createPredictionRecorder wraps an optional sink: a throwing `add` counts as a drop
 * and is logged (`Prediction log add failed`, the first time and every 1000th after).
 * Rows are copies, so a sink that buffers them does not pin whole batch buffers.
 */
export function createPredictionRecorder(sink: PredictionLogSink | undefined, log: PredictionLogWarner): PredictionRecorder {
  let refused = 0;
  if (sink === undefined) {
    return { record() {}, dropped: () => undefined };
  }
  return {
    record(model, version, names, X, rows, point, start = 0, end = point.length) {
      const nInputs = X.length / rows;
      const horizon = (end - start) / rows;
      for (let r = 0; r < rows; r++) {
        try {
          sink.add({
            model,
            version,
            features: X.slice(r * nInputs, (r + 1) * nInputs),
            names,
            outputs: point.slice(start + r * horizon, start + (r + 1) * horizon),
          });
        } catch (error) {
          if (refused % 1000 === 0) log.warn({ err: error, refused: refused + 1 }, 'Prediction log add failed');
          refused++;
        }
      }
    },
    dropped() {
      let own: number | undefined;
      try {
        own = typeof sink.dropped === 'number' ? sink.dropped : sink.counters?.().dropped;
      } catch {
        own = undefined;
      }
      return (typeof own === 'number' && Number.isFinite(own) ? own : 0) + refused;
    },
  };
}
