import { format } from 'node:util';

/**
 * ServeError is an error the inference server answers with: a stable `code`, an
 * HTTP `statusCode`, a message safe to show the caller (sent as `{"error": message}`)
 * and the response headers the status needs (Retry-After, WWW-Authenticate).
 */
export class ServeError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(code: string, message: string, statusCode: number, headers?: Readonly<Record<string, string>>) {
    super(message);
    this.name = 'ServeError';
    this.code = code;
    this.statusCode = statusCode;
    this.headers = headers;
  }
}

/** ServeErrorClass is one coded error of the table: `new errors.X(...args)` formats the message with them. */
export interface ServeErrorClass {
  new (...args: Array<string | number>): ServeError;
  readonly code: string;
  readonly statusCode: number;
}

/**
 * createError defines one coded error, like fastify's `@fastify/error`: the message
 * is a `util.format` template (`%s`, `%d`) filled from the constructor arguments.
 */
export function createError(
  code: string,
  message: string,
  statusCode: number,
  headers?: Readonly<Record<string, string>>,
): ServeErrorClass {
  const fixed = headers ? Object.freeze({ ...headers }) : undefined;
  return class extends ServeError {
    static readonly code = code;
    static readonly statusCode = statusCode;

    constructor(...args: Array<string | number>) {
      super(code, args.length > 0 ? format(message, ...args) : message, statusCode, fixed);
    }
  };
}

const RETRY_AFTER = { 'retry-after': '1' } as const;

/**
 * errors is the one table of everything the inference server answers with besides
 * success (fastify's lib/errors.js style): codes are stable, clients may match on
 * the status, and every response body is `{"error": message}`.
 */
export const errors = {
  // 400: the request cannot be used as sent.
  FST_FLUXORA_BAD_HTTP: createError('FST_FLUXORA_BAD_HTTP', 'Malformed HTTP request', 400),
  FST_FLUXORA_BAD_URL: createError('FST_FLUXORA_BAD_URL', 'Malformed URL: %s', 400),
  FST_FLUXORA_INVALID_JSON: createError('FST_FLUXORA_INVALID_JSON', 'Malformed JSON body: %s', 400),
  FST_FLUXORA_INVALID_REQUEST: createError('FST_FLUXORA_INVALID_REQUEST', 'Invalid request: %s', 400),
  FST_FLUXORA_MISSING_INPUT: createError('FST_FLUXORA_MISSING_INPUT', 'Missing input "%s"', 400),
  FST_FLUXORA_UNKNOWN_INPUT: createError('FST_FLUXORA_UNKNOWN_INPUT', 'Unknown input "%s": the model takes "%s"', 400),
  FST_FLUXORA_DUPLICATE_INPUT: createError('FST_FLUXORA_DUPLICATE_INPUT', 'Input "%s" is given more than once', 400),
  FST_FLUXORA_INVALID_DATATYPE: createError(
    'FST_FLUXORA_INVALID_DATATYPE',
    'Input "%s" has datatype %s, expected FP32',
    400,
  ),
  FST_FLUXORA_INVALID_SHAPE: createError('FST_FLUXORA_INVALID_SHAPE', 'Input "%s" has shape %s, expected %s', 400),
  FST_FLUXORA_DATA_SIZE_MISMATCH: createError('FST_FLUXORA_DATA_SIZE_MISMATCH', 'Input "%s": %s', 400),
  FST_FLUXORA_INVALID_VALUE: createError(
    'FST_FLUXORA_INVALID_VALUE',
    'Input "%s": element %d is %s, expected a finite FP32 number',
    400,
  ),
  FST_FLUXORA_UNKNOWN_OUTPUT: createError('FST_FLUXORA_UNKNOWN_OUTPUT', 'Unknown output "%s": the model has %s', 400),
  FST_FLUXORA_BAD_HISTORY: createError('FST_FLUXORA_BAD_HISTORY', '%s', 400),
  // 401
  FST_FLUXORA_UNAUTHORIZED: createError('FST_FLUXORA_UNAUTHORIZED', '%s', 401, { 'www-authenticate': 'Bearer' }),
  // 404
  FST_FLUXORA_ROUTE_NOT_FOUND: createError('FST_FLUXORA_ROUTE_NOT_FOUND', 'Route %s %s not found', 404),
  FST_FLUXORA_MODEL_NOT_FOUND: createError('FST_FLUXORA_MODEL_NOT_FOUND', 'Model "%s" not found', 404),
  FST_FLUXORA_VERSION_NOT_FOUND: createError('FST_FLUXORA_VERSION_NOT_FOUND', 'Model "%s" has no version "%s"', 404),
  // 408, 413, 414, 415, 431
  FST_FLUXORA_REQUEST_TIMEOUT: createError('FST_FLUXORA_REQUEST_TIMEOUT', 'Request timed out', 408),
  FST_FLUXORA_BODY_TOO_LARGE: createError('FST_FLUXORA_BODY_TOO_LARGE', 'Request body is larger than %d bytes', 413),
  FST_FLUXORA_TOO_MANY_ROWS: createError(
    'FST_FLUXORA_TOO_MANY_ROWS',
    'Request has %d rows, more than the %d one request may carry',
    413,
  ),
  FST_FLUXORA_URI_TOO_LONG: createError('FST_FLUXORA_URI_TOO_LONG', 'A URL path parameter is too long', 414),
  FST_FLUXORA_UNSUPPORTED_MEDIA_TYPE: createError(
    'FST_FLUXORA_UNSUPPORTED_MEDIA_TYPE',
    'Unsupported media type %s: send application/json',
    415,
  ),
  FST_FLUXORA_HEADERS_TOO_LARGE: createError('FST_FLUXORA_HEADERS_TOO_LARGE', 'Request headers are too large', 431),
  // 500
  FST_FLUXORA_PREDICTION_FAILED: createError('FST_FLUXORA_PREDICTION_FAILED', 'Prediction failed: %s', 500),
  FST_FLUXORA_INTERNAL: createError('FST_FLUXORA_INTERNAL', 'Internal server error', 500),
  // 503: come back later (or elsewhere).
  FST_FLUXORA_NOT_READY: createError('FST_FLUXORA_NOT_READY', 'Model is not ready', 503, RETRY_AFTER),
  FST_FLUXORA_MODEL_LOAD_FAILED: createError('FST_FLUXORA_MODEL_LOAD_FAILED', 'Model failed to load: %s', 503),
  FST_FLUXORA_OVERLOADED: createError(
    'FST_FLUXORA_OVERLOADED',
    'Server is overloaded: %d rows are queued, the limit is %d',
    503,
    RETRY_AFTER,
  ),
  FST_FLUXORA_SHUTTING_DOWN: createError('FST_FLUXORA_SHUTTING_DOWN', 'Server is shutting down', 503, {
    ...RETRY_AFTER,
    connection: 'close',
  }),
} as const;
