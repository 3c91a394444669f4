import { type ForecastInput, HistoryError, type LoadedModel } from '../../runtime/serve/loaded-model.ts';

/** TestModelOptions shapes a TestModel; every field has a small default. */
export interface TestModelOptions {
  name?: string;
  version?: number;
  /** Number of input features (default 4). */
  nInputs?: number;
  /** Forecast steps (default 3). */
  horizon?: number;
  /** Covariates a forecast must give (default ['temperature']). */
  covariates?: string[];
  /** Known-in-advance covariates (default: the covariates). */
  knownCovariates?: string[];
  /** Fewest history rows (default 3). */
  requiredHistory?: number;
}

/**
 * TestModel is a small deterministic LoadedModel for the server's tests and bench (a
 * stand-in model, not a mock): the forecast for step h (1-based) is the mean of the
 * row's inputs plus h, the interval is ± 1, and featuresFromHistory repeats the last
 * target value. It records every predictBatch row count and warm-up.
 */
export interface TestModel extends LoadedModel {
  /** Rows of each predictBatch call, in order (warm-up included). */
  readonly calls: number[];
  /** How many times warmUp ran. */
  warmUps: number;
}

/** createTestModel builds a TestModel. */
export function createTestModel(options: TestModelOptions = {}): TestModel {
  const nInputs = options.nInputs ?? 4;
  const horizon = options.horizon ?? 3;
  const requiredHistory = options.requiredHistory ?? 3;
  const stepMs = 3_600_000;
  const model: TestModel = {
    name: options.name ?? 'energy',
    version: options.version ?? 3,
    inputNames: Array.from({ length: nInputs }, (_, i) => `f${i}`),
    horizon,
    stepMs,
    target: 'load',
    covariates: options.covariates ?? ['temperature'],
    knownCovariates: options.knownCovariates ?? options.covariates ?? ['temperature'],
    requiredHistory,
    coverage: 0.9,
    quantileLevels: [0.1, 0.5, 0.9],
    quantileOffsets: (level: number) => (level === 0.1 || level === 0.5 || level === 0.9 ? new Float32Array(horizon).fill((level - 0.5) * 2.5) : undefined),
    calls: [],
    warmUps: 0,
    predictBatch(X: Float32Array, n: number) {
      model.calls.push(n);
      const point = new Float32Array(n * horizon);
      const lower = new Float32Array(n * horizon);
      const upper = new Float32Array(n * horizon);
      for (let r = 0; r < n; r++) {
        let sum = 0;
        for (let j = 0; j < nInputs; j++) sum += X[r * nInputs + j];
        const mean = sum / nInputs;
        for (let h = 0; h < horizon; h++) {
          const i = r * horizon + h;
          point[i] = mean + h + 1;
          lower[i] = point[i] - 1;
          upper[i] = point[i] + 1;
        }
      }
      return { point, lower, upper };
    },
    featuresFromHistory(request: ForecastInput) {
      const n = request.timestamps.length;
      if (n < requiredHistory) {
        throw new HistoryError(`history has ${n} rows, the model needs at least ${requiredHistory}`);
      }
      const last = Date.parse(request.timestamps[n - 1]);
      if (Number.isNaN(last)) throw new HistoryError(`timestamps[${n - 1}] is not an ISO-8601 timestamp`);
      const X = new Float32Array(nInputs).fill(request.target[n - 1]);
      const targetTimes = Array.from({ length: horizon }, (_, h) => last + (h + 1) * stepMs);
      return { X, targetTimes };
    },
    warmUp() {
      model.warmUps++;
      model.predictBatch(new Float32Array(nInputs), 1);
    },
  };
  return model;
}
