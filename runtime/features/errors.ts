/**
 * FeatureErrorCode says why features could not be computed: a spec that does not
 * fit the table, rows out of order, or a serving request without enough data.
 */
export type FeatureErrorCode =
  | 'INVALID_SPEC'
  | 'UNSORTED'
  | 'INSUFFICIENT_HISTORY'
  | 'MISSING_INPUT'
  | 'NO_ORIGIN';

/**
 * FeatureError is thrown by the feature pipeline for problems in the spec or the
 * data (never for bugs). Its `code` is stable so the inference server can answer
 * with a 400 and the message as is; training reports it as a terminal condition.
 */
export class FeatureError extends Error {
  readonly code: FeatureErrorCode;

  constructor(code: FeatureErrorCode, message: string) {
    super(message);
    this.name = 'FeatureError';
    this.code = code;
  }
}
