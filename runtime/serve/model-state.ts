import { errors } from './errors.ts';
import { INPUT_NAME, OUTPUT_NAMES } from './infer-request.ts';
import { inferResponsePrefix } from './infer-response.ts';
import type { LoadedModel } from './loaded-model.ts';

/** PLATFORM is the OIP model-metadata platform (`<project>_<format>`) of a Fluxora LoadedModel. */
export const PLATFORM = 'fluxora_forecast';

/** ModelMetadata is the OIP `$metadata_model_response` of the served model. */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: Array<{ name: string; datatype: 'FP32'; shape: number[] }>;
  outputs: Array<{ name: string; datatype: 'FP32'; shape: number[] }>;
}

/** ServedModel is a loaded, warmed-up model plus everything the routes derive from it once. */
export interface ServedModel {
  model: LoadedModel;
  /** The version as it appears in URLs and responses. */
  version: string;
  nInputs: number;
  horizon: number;
  metadata: ModelMetadata;
  /** Head of every inference response (see inferResponsePrefix). */
  inferPrefix: Buffer;
}

/** ModelStateLogger is the part of a pino logger ModelState needs. */
export interface ModelStateLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * ModelState tracks the model from promise to servable: `served` is set once the
 * model resolved, passed `checkLoadedModel` and warmUp ran; `loadError` once any of
 * that failed. `draining` is set when shutdown starts.
 */
export interface ModelState {
  readonly served: ServedModel | undefined;
  readonly loadError: Error | undefined;
  /** Resolves with the served model, or rejects with the load error. */
  readonly loaded: Promise<ServedModel>;
  draining: boolean;
  /** ready is true while the model is served and the server is not draining. */
  readonly ready: boolean;
  /** requireServed returns the served model or throws the 503 saying why there is none. */
  requireServed(): ServedModel;
}

/**
 * loadModelState starts serving `source` (a model or its promise): once it resolves
 * it is checked and warmed up, logged with `Model ready`, and `onServed` runs; a
 * failure is logged with `Model load failed` and kept as `loadError`.
 */
export function loadModelState(
  source: LoadedModel | Promise<LoadedModel>,
  log: ModelStateLogger,
  onServed: (served: ServedModel) => void,
): ModelState {
  let served: ServedModel | undefined;
  let loadError: Error | undefined;
  const started = performance.now();
  const loaded = Promise.resolve(source).then((model) => {
    checkLoadedModel(model);
    const warmUpStarted = performance.now();
    model.warmUp();
    served = serve(model);
    onServed(served);
    log.info(
      {
        model: model.name,
        version: model.version,
        inputs: served.nInputs,
        horizon: served.horizon,
        loadMs: Math.round(warmUpStarted - started),
        warmUpMs: Math.round(performance.now() - warmUpStarted),
      },
      'Model ready',
    );
    return served;
  });
  loaded.catch((error: unknown) => {
    loadError = error instanceof Error ? error : new Error(String(error));
    log.error({ err: loadError }, 'Model load failed');
  });
  const state: ModelState = {
    get served() {
      return served;
    },
    get loadError() {
      return loadError;
    },
    loaded,
    draining: false,
    get ready() {
      return served !== undefined && !state.draining;
    },
    requireServed() {
      if (served !== undefined) return served;
      if (loadError !== undefined) throw new errors.FST_FLUXORA_MODEL_LOAD_FAILED(loadError.message);
      throw new errors.FST_FLUXORA_NOT_READY();
    },
  };
  return state;
}

/**
 * checkLoadedModel throws a TypeError when `model` does not keep the LoadedModel
 * contract in the ways the server relies on (names, sizes, methods).
 */
export function checkLoadedModel(model: LoadedModel): void {
  const fail = (what: string): never => {
    throw new TypeError(`LoadedModel: ${what}`);
  };
  if (model == null || typeof model !== 'object') fail('expected an object');
  if (typeof model.name !== 'string' || model.name.length === 0) fail('name must be a non-empty string');
  if (!Number.isFinite(model.version)) fail('version must be a finite number');
  if (!Array.isArray(model.inputNames) || model.inputNames.length === 0) fail('inputNames must be a non-empty array');
  if (!model.inputNames.every((name) => typeof name === 'string')) fail('inputNames must be strings');
  if (!(Number.isInteger(model.horizon) && model.horizon > 0)) fail('horizon must be a positive integer');
  if (!Array.isArray(model.covariates)) fail('covariates must be an array');
  for (const method of ['predictBatch', 'featuresFromHistory', 'warmUp'] as const) {
    if (typeof model[method] !== 'function') fail(`${method} must be a function`);
  }
}

function serve(model: LoadedModel): ServedModel {
  const version = String(model.version);
  const nInputs = model.inputNames.length;
  const horizon = model.horizon;
  return {
    model,
    version,
    nInputs,
    horizon,
    metadata: {
      name: model.name,
      versions: [version],
      platform: PLATFORM,
      inputs: [{ name: INPUT_NAME, datatype: 'FP32', shape: [-1, nInputs] }],
      outputs: OUTPUT_NAMES.map((name) => ({ name, datatype: 'FP32' as const, shape: [-1, horizon] })),
    },
    inferPrefix: inferResponsePrefix(model.name, version),
  };
}

/**
 * resolveModel checks the model name and optional version of a URL against the
 * served model: FST_FLUXORA_MODEL_NOT_FOUND or FST_FLUXORA_VERSION_NOT_FOUND (404).
 */
export function resolveModel(served: ServedModel, name: string, version: string | undefined): void {
  if (name !== served.model.name) throw new errors.FST_FLUXORA_MODEL_NOT_FOUND(clip(name));
  if (version !== undefined && version !== served.version) {
    throw new errors.FST_FLUXORA_VERSION_NOT_FOUND(served.model.name, clip(version));
  }
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
