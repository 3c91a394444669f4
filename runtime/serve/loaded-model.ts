/**
 * LoadedModel is a registered model made ready to serve: the inference server only
 * talks to this interface. It is built once per process from a registry artifact
 * (weights, feature pipeline with fitted statistics, conformal quantiles), so no
 * per-request work repeats what can be done at load time.
 */
export interface LoadedModel {
  name: string;
  version: number;
  /** Names of the model's input features, in order; the OIP input is FP32 [-1, inputNames.length]. */
  inputNames: string[];
  /** Steps forecast per sample; the OIP outputs are FP32 [-1, horizon]. */
  horizon: number;
  /** The series' step in milliseconds (e.g. 3,600,000 for hourly data). */
  stepMs: number;
  /** The target column's name. */
  target: string;
  /** Columns besides the target a forecast request must give for every history row. */
  covariates: string[];
  /** Known-in-advance covariates a forecast request must also give for each future step. */
  knownCovariates: string[];
  /** Quantile levels the model is calibrated for (0.01 to 0.99). */
  quantileLevels: number[];
  /** quantileOffsets returns, per step, what to add to the point forecast for quantile `level`; undefined for an uncalibrated level. */
  quantileOffsets(level: number): Float32Array | undefined;
  /** Fewest history rows a forecast request needs. */
  requiredHistory: number;
  /** Target coverage of the intervals, e.g. 0.9. */
  coverage: number;
  /**
   * predictBatch forecasts n samples at once: X holds n rows of raw (unscaled) inputs,
   * row-major; returns n x horizon point forecasts plus conformal lower and upper bounds.
   */
  predictBatch(X: Float32Array, n: number): { point: Float32Array; lower: Float32Array; upper: Float32Array };
  /**
   * featuresFromHistory turns raw history (and future covariates) into one input row with
   * the training feature code, so training and serving cannot skew. Throws a
   * HistoryError (below) when the history is too short or malformed.
   */
  featuresFromHistory(request: ForecastInput): { X: Float32Array; targetTimes: number[] };
  /** warmUp runs the model once so the first request does not pay for compilation. */
  warmUp(): void;
}

/** ForecastInput is the body of POST /v1/forecast after validation. */
export interface ForecastInput {
  /** ISO-8601 timestamps with offsets of the history rows, ascending and regular. */
  timestamps: string[];
  /** Target values of the history rows. */
  target: number[];
  /** Covariate values of the history rows, by name. */
  covariates?: Record<string, number[]>;
  /** Known-in-advance covariate values for each of the horizon steps, by name. */
  futureCovariates?: Record<string, number[]>;
  /** Quantile levels to return per step (default 0.1, 0.5, 0.9). */
  quantiles?: number[];
}

/** HistoryError says a forecast request's history cannot be used, and what is needed. */
export class HistoryError extends Error {
  readonly code = 'FST_FLUXORA_BAD_HISTORY';
}
