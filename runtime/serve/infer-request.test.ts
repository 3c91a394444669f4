import { describe, expect, it } from 'vitest';
import { ServeError } from './errors.ts';
import { decodeInferRequest, describe as describeValue } from './infer-request.ts';

const N = 2;

function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'features', shape: [2, N], datatype: 'FP32', data: [1, 2, 3, 4], ...overrides };
}

function decode(body: unknown, maxRows = 100) {
  return decodeInferRequest(body, N, maxRows);
}

function failure(body: unknown, maxRows = 100): { code: string; statusCode: number; message: string } {
  try {
    decode(body, maxRows);
  } catch (error) {
    expect(error).toBeInstanceOf(ServeError);
    const { code, statusCode, message } = error as ServeError;
    return { code, statusCode, message };
  }
  throw new Error('expected decodeInferRequest to throw');
}

describe('decodeInferRequest', () => {
  it('reads flat and nested row-major data into one Float32Array', () => {
    const flat = decode({ id: 'r1', inputs: [input()] });
    expect(flat).toEqual({ id: 'r1', X: Float32Array.from([1, 2, 3, 4]), rows: 2, outputs: ['forecast', 'lower', 'upper'] });
    const nested = decode({ inputs: [input({ data: [[1, 2], [3, 4]] })] });
    expect(nested.X).toEqual(Float32Array.from([1, 2, 3, 4]));
    expect(nested.id).toBeUndefined();
  });

  it('accepts OIP parameters and selects outputs in the order asked', () => {
    const decoded = decode({
      parameters: { priority: 1, tag: 'x', debug: false },
      inputs: [input({ parameters: { content_type: 'np' } })],
      outputs: [{ name: 'upper' }, { name: 'forecast', parameters: { binary_data: false } }],
    });
    expect(decoded.outputs).toEqual(['upper', 'forecast']);
    expect(decode({ inputs: [input()], outputs: [] }).outputs).toEqual(['forecast', 'lower', 'upper']);
  });

  it.each([
    ['a non-object body', null, 'FST_FLUXORA_INVALID_REQUEST', 'Invalid request: the body must be a JSON object'],
    ['an array body', [], 'FST_FLUXORA_INVALID_REQUEST', 'Invalid request: the body must be a JSON object'],
    ['a numeric id', { id: 42, inputs: [input()] }, 'FST_FLUXORA_INVALID_REQUEST', 'Invalid request: "id" must be a string of at most 256 characters'],
    ['inputs not an array', { inputs: {} }, 'FST_FLUXORA_INVALID_REQUEST', 'Invalid request: "inputs" must be an array'],
    ['no inputs', { inputs: [] }, 'FST_FLUXORA_MISSING_INPUT', 'Missing input "features"'],
    ['an unknown input', { inputs: [input({ name: 'x' })] }, 'FST_FLUXORA_UNKNOWN_INPUT', 'Unknown input "x": the model takes "features"'],
    ['a duplicate input', { inputs: [input(), input()] }, 'FST_FLUXORA_DUPLICATE_INPUT', 'Input "features" is given more than once'],
    ['datatype FP64', { inputs: [input({ datatype: 'FP64' })] }, 'FST_FLUXORA_INVALID_DATATYPE', 'Input "features" has datatype "FP64", expected FP32'],
    ['no datatype', { inputs: [input({ datatype: undefined })] }, 'FST_FLUXORA_INVALID_DATATYPE', 'Input "features" has datatype missing, expected FP32'],
    ['a 1-D shape', { inputs: [input({ shape: [4] })] }, 'FST_FLUXORA_INVALID_SHAPE', 'Input "features" has shape [4], expected [n, 2] with n >= 1'],
    ['the wrong width', { inputs: [input({ shape: [1, 4] })] }, 'FST_FLUXORA_INVALID_SHAPE', 'Input "features" has shape [1, 4], expected [n, 2] with n >= 1'],
    ['zero rows', { inputs: [input({ shape: [0, 2], data: [] })] }, 'FST_FLUXORA_INVALID_SHAPE', 'Input "features" has shape [0, 2], expected [n, 2] with n >= 1'],
    ['a -1 dimension', { inputs: [input({ shape: [-1, 2] })] }, 'FST_FLUXORA_INVALID_SHAPE', 'Input "features" has shape [-1, 2], expected [n, 2] with n >= 1'],
    ['a fractional dimension', { inputs: [input({ shape: [1.5, 2] })] }, 'FST_FLUXORA_INVALID_SHAPE', 'Input "features" has shape [1.5, 2], expected [n, 2] with n >= 1'],
    ['a string dimension', { inputs: [input({ shape: ['2', 2] })] }, 'FST_FLUXORA_INVALID_SHAPE', 'Input "features" has shape ["2", 2], expected [n, 2] with n >= 1'],
    ['too few values', { inputs: [input({ data: [1, 2, 3] })] }, 'FST_FLUXORA_DATA_SIZE_MISMATCH', 'Input "features": data has 3 values, shape [2, 2] needs 4'],
    ['too many values', { inputs: [input({ data: [1, 2, 3, 4, 5] })] }, 'FST_FLUXORA_DATA_SIZE_MISMATCH', 'Input "features": data has 5 values, shape [2, 2] needs 4'],
    ['too few nested rows', { inputs: [input({ data: [[1, 2]] })] }, 'FST_FLUXORA_DATA_SIZE_MISMATCH', 'Input "features": data has 1 rows, shape [2, 2] needs 2'],
    ['a short nested row', { inputs: [input({ data: [[1, 2], [3]] })] }, 'FST_FLUXORA_DATA_SIZE_MISMATCH', 'Input "features": data[1] has 1 values, a row needs 2 values'],
    ['mixed nesting', { inputs: [input({ data: [[1, 2], 3] })] }, 'FST_FLUXORA_DATA_SIZE_MISMATCH', 'Input "features": data[1] is 3, a row needs 2 values'],
    ['data not an array', { inputs: [input({ data: 'AAAA' })] }, 'FST_FLUXORA_INVALID_REQUEST', 'Invalid request: input "features" "data" must be an array'],
    ['a "NaN" string', { inputs: [input({ data: [1, 'NaN', 3, 4] })] }, 'FST_FLUXORA_INVALID_VALUE', 'Input "features": element 1 is "NaN", expected a finite FP32 number'],
    ['a numeric string', { inputs: [input({ data: [1, 2, '3', 4] })] }, 'FST_FLUXORA_INVALID_VALUE', 'Input "features": element 2 is "3", expected a finite FP32 number'],
    ['a null', { inputs: [input({ data: [1, 2, 3, null] })] }, 'FST_FLUXORA_INVALID_VALUE', 'Input "features": element 3 is null, expected a finite FP32 number'],
    ['a boolean', { inputs: [input({ data: [true, 2, 3, 4] })] }, 'FST_FLUXORA_INVALID_VALUE', 'Input "features": element 0 is true, expected a finite FP32 number'],
    ['Infinity (JSON 1e999)', { inputs: [input({ data: [1, 2, 3, Infinity] })] }, 'FST_FLUXORA_INVALID_VALUE', 'Input "features": element 3 is Infinity, expected a finite FP32 number'],
    ['NaN', { inputs: [input({ data: [[1, 2], [Number.NaN, 4]] })] }, 'FST_FLUXORA_INVALID_VALUE', 'Input "features": element 2 is NaN, expected a finite FP32 number'],
    ['a value beyond FP32', { inputs: [input({ data: [1, 2, 3, 1e39] })] }, 'FST_FLUXORA_INVALID_VALUE', 'Input "features": element 3 is 1e+39, expected a finite FP32 number'],
    ['a nested array too deep', { inputs: [input({ data: [[1, [2]], [3, 4]] })] }, 'FST_FLUXORA_INVALID_VALUE', 'Input "features": element 1 is [2], expected a finite FP32 number'],
    ['an unknown output', { inputs: [input()], outputs: [{ name: 'median' }] }, 'FST_FLUXORA_UNKNOWN_OUTPUT', 'Unknown output "median": the model has forecast, lower, upper'],
    ['a repeated output', { inputs: [input()], outputs: [{ name: 'lower' }, { name: 'lower' }] }, 'FST_FLUXORA_INVALID_REQUEST', 'Invalid request: output "lower" is asked for more than once'],
    ['an object parameter', { parameters: { a: { b: 1 } }, inputs: [input()] }, 'FST_FLUXORA_INVALID_REQUEST', 'Invalid request: "parameters": "a" must be a string, number or boolean'],
  ])('refuses %s with a 400', (_name, body, code, message) => {
    expect(failure(body)).toEqual({ code, statusCode: 400, message });
  });

  it('refuses more rows than one request may carry with a 413', () => {
    expect(failure({ inputs: [input({ shape: [3, N], data: [1, 2, 3, 4, 5, 6] })] }, 2)).toEqual({
      code: 'FST_FLUXORA_TOO_MANY_ROWS',
      statusCode: 413,
      message: 'Request has 3 rows, more than the 2 one request may carry',
    });
  });

  it('describes hostile values briefly, never walking a large array', () => {
    expect(describeValue(new Array(1_000_000).fill(7))).toBe('[7, 7, 7, 7, 7, 7, 7, 7, ...]');
    expect(describeValue('x'.repeat(10_000)).length).toBeLessThanOrEqual(64);
    expect(describeValue({ a: 1 })).toBe('an object');
  });
});
