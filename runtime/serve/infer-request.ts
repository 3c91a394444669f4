import { errors } from './errors.ts';
import { Float32Pool } from './float32-pool.ts';

/** INPUT_NAME is the model's one OIP input: FP32 [-1, inputNames.length]. */
export const INPUT_NAME = 'features';

/** OUTPUT_NAMES are the model's OIP outputs, each FP32 [-1, horizon], in metadata order. */
export const OUTPUT_NAMES = Object.freeze(['forecast', 'lower', 'upper'] as const);

/** OutputName is one of OUTPUT_NAMES. */
export type OutputName = (typeof OUTPUT_NAMES)[number];

/** MAX_ID_LENGTH bounds the request `id` the response echoes. */
export const MAX_ID_LENGTH = 256;

const pool = new Float32Pool();

/** InferRequest is a decoded OIP inference request: the rows as one row-major Float32Array. */
export interface InferRequest {
  /** The request's `id`, echoed in the response. */
  id: string | undefined;
  X: Float32Array;
  rows: number;
  /** Outputs to return, in the order asked for. */
  outputs: readonly OutputName[];
}

/**
 * decodeInferRequest validates an OIP `$inference_request` body (already JSON-parsed,
 * so hostile in shape and content) for a model with `nInputs` features and converts
 * its one input to a Float32Array. Data may be flat or nested row-major; every element
 * must be a JSON number that is finite in FP32 (strings such as "NaN", nulls,
 * booleans and 1e999 are refused, not coerced). Hand-written rather than a schema:
 * it is the hot path, and a zod array schema costs about 3x as much per element.
 * Throws the coded 400 errors (413 when there are more than `maxRows` rows). X may
 * be a view into a shared slab (see Float32Pool).
 */
export function decodeInferRequest(body: unknown, nInputs: number, maxRows: number): InferRequest {
  if (!isObject(body)) throw new errors.FST_FLUXORA_INVALID_REQUEST('the body must be a JSON object');
  const { id, parameters, inputs, outputs } = body;
  if (id !== undefined && (typeof id !== 'string' || id.length > MAX_ID_LENGTH)) {
    throw new errors.FST_FLUXORA_INVALID_REQUEST(`"id" must be a string of at most ${MAX_ID_LENGTH} characters`);
  }
  checkParameters(parameters, '"parameters"');
  if (!Array.isArray(inputs)) throw new errors.FST_FLUXORA_INVALID_REQUEST('"inputs" must be an array');
  let features: Record<string, unknown> | undefined;
  for (let i = 0; i < inputs.length; i++) {
    const input: unknown = inputs[i];
    if (!isObject(input) || typeof input.name !== 'string') {
      throw new errors.FST_FLUXORA_INVALID_REQUEST(`inputs[${i}] must be an object with a string "name"`);
    }
    if (input.name !== INPUT_NAME) throw new errors.FST_FLUXORA_UNKNOWN_INPUT(clip(input.name), INPUT_NAME);
    if (features !== undefined) throw new errors.FST_FLUXORA_DUPLICATE_INPUT(INPUT_NAME);
    features = input;
  }
  if (features === undefined) throw new errors.FST_FLUXORA_MISSING_INPUT(INPUT_NAME);
  const { rows, X } = decodeFeatures(features, nInputs, maxRows);
  return { id, X, rows, outputs: decodeOutputs(outputs) };
}

function decodeFeatures(input: Record<string, unknown>, nInputs: number, maxRows: number): { rows: number; X: Float32Array } {
  const { datatype, shape, data } = input;
  checkParameters(input.parameters, `input "${INPUT_NAME}" "parameters"`);
  if (datatype !== 'FP32') throw new errors.FST_FLUXORA_INVALID_DATATYPE(INPUT_NAME, describe(datatype));
  const expected = `[n, ${nInputs}] with n >= 1`;
  if (!Array.isArray(shape) || shape.length !== 2 || !isDimension(shape[0]) || shape[1] !== nInputs || shape[0] < 1) {
    throw new errors.FST_FLUXORA_INVALID_SHAPE(INPUT_NAME, describe(shape), expected);
  }
  const rows = shape[0] as number;
  if (rows > maxRows) throw new errors.FST_FLUXORA_TOO_MANY_ROWS(rows, maxRows);
  if (!Array.isArray(data)) throw new errors.FST_FLUXORA_INVALID_REQUEST(`input "${INPUT_NAME}" "data" must be an array`);
  const X = pool.alloc(rows * nInputs);
  if (data.length > 0 && Array.isArray(data[0])) {
    if (data.length !== rows) {
      throw new errors.FST_FLUXORA_DATA_SIZE_MISMATCH(INPUT_NAME, `data has ${data.length} rows, shape ${describe(shape)} needs ${rows}`);
    }
    for (let r = 0; r < rows; r++) {
      const row: unknown = data[r];
      if (!Array.isArray(row) || row.length !== nInputs) {
        const problem = Array.isArray(row) ? `has ${row.length} values` : `is ${describe(row)}`;
        throw new errors.FST_FLUXORA_DATA_SIZE_MISMATCH(INPUT_NAME, `data[${r}] ${problem}, a row needs ${nInputs} values`);
      }
      copyNumbers(row, X, r * nInputs);
    }
  } else {
    if (data.length !== X.length) {
      throw new errors.FST_FLUXORA_DATA_SIZE_MISMATCH(
        INPUT_NAME,
        `data has ${data.length} values, shape ${describe(shape)} needs ${X.length}`,
      );
    }
    copyNumbers(data, X, 0);
  }
  return { rows, X };
}

/** copyNumbers stores `source` into X from `offset`, refusing anything but numbers finite in FP32. */
function copyNumbers(source: unknown[], X: Float32Array, offset: number): void {
  for (let j = 0; j < source.length; j++) {
    const v = source[j];
    if (typeof v !== 'number') throw new errors.FST_FLUXORA_INVALID_VALUE(INPUT_NAME, offset + j, describe(v));
    const k = offset + j;
    X[k] = v;
    // NaN and ±Infinity fail x - x === 0; so do finite doubles beyond FP32's range once stored.
    if (X[k] - X[k] !== 0) throw new errors.FST_FLUXORA_INVALID_VALUE(INPUT_NAME, k, describe(v));
  }
}

function decodeOutputs(outputs: unknown): readonly OutputName[] {
  if (outputs === undefined) return OUTPUT_NAMES;
  if (!Array.isArray(outputs)) throw new errors.FST_FLUXORA_INVALID_REQUEST('"outputs" must be an array');
  if (outputs.length === 0) return OUTPUT_NAMES;
  const picked: OutputName[] = [];
  for (let i = 0; i < outputs.length; i++) {
    const output: unknown = outputs[i];
    if (!isObject(output) || typeof output.name !== 'string') {
      throw new errors.FST_FLUXORA_INVALID_REQUEST(`outputs[${i}] must be an object with a string "name"`);
    }
    const name = output.name;
    if (!(OUTPUT_NAMES as readonly string[]).includes(name)) {
      throw new errors.FST_FLUXORA_UNKNOWN_OUTPUT(clip(name), OUTPUT_NAMES.join(', '));
    }
    if (picked.includes(name as OutputName)) {
      throw new errors.FST_FLUXORA_INVALID_REQUEST(`output "${name}" is asked for more than once`);
    }
    checkParameters(output.parameters, `output "${name}" "parameters"`);
    picked.push(name as OutputName);
  }
  return picked;
}

/** checkParameters accepts an OIP `$parameters` object: string, number or boolean values only. */
function checkParameters(parameters: unknown, where: string): void {
  if (parameters === undefined) return;
  if (!isObject(parameters)) throw new errors.FST_FLUXORA_INVALID_REQUEST(`${where} must be an object`);
  for (const key in parameters) {
    const type = typeof parameters[key];
    if (type !== 'string' && type !== 'number' && type !== 'boolean') {
      throw new errors.FST_FLUXORA_INVALID_REQUEST(`${where}: "${clip(key)}" must be a string, number or boolean`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDimension(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** describe renders a hostile value for an error message: shallow (never walks a large array), at most 64 characters. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) {
    const head = value.slice(0, 8).map(scalar).join(', ');
    return clip(`[${head}${value.length > 8 ? ', ...' : ''}]`);
  }
  return clip(scalar(value));
}

function scalar(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return '[...]';
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return String(value);
    case 'string':
      return JSON.stringify(value.length > 64 ? value.slice(0, 64) : value);
    default:
      return 'an object';
  }
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
