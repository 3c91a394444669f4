/**
 * DataErrorCode names why a load failed as a whole (as opposed to a rejected row):
 * a column the schema declares is missing, the source could not be read, the query
 * failed or ran out of time.
 */
export type DataErrorCode =
  | 'MissingColumn'
  | 'DuplicateColumn'
  | 'EmptySource'
  | 'SourceUnavailable'
  | 'FetchFailed'
  | 'QueryFailed'
  | 'QueryTimeout';

/** DataError is a load failure that stops the whole load; `code` is machine readable. */
export class DataError extends Error {
  readonly code: DataErrorCode;

  constructor(code: DataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataError';
    this.code = code;
  }
}

/** missingColumnError is the DataError for a declared column absent from the source. */
export function missingColumnError(column: string, role: string, found: readonly string[]): DataError {
  const list = found.length === 0 ? '(none)' : found.map((f) => JSON.stringify(f)).join(', ');
  return new DataError('MissingColumn', `${role} "${column}" is missing from the source; columns found: ${list}`);
}
