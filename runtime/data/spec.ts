/**
 * Structural types of a Dataset's schema and of a resolved data source, as the
 * loaders in this folder consume them. They mirror the Dataset CRD (crds/dataset.ts)
 * without depending on zod, so the loaders can be used on their own.
 */

/** ColumnSpec declares one column of a Dataset besides the timestamp (and entity) column. */
export interface ColumnSpec {
  name: string;
  type: 'number' | 'integer' | 'string' | 'boolean';
  /** Whether nulls are allowed; absent means false, as in the CRD. */
  nullable?: boolean;
  /** Smallest allowed value (number, integer and boolean columns). */
  min?: number;
  /** Largest allowed value (number, integer and boolean columns). */
  max?: number;
}

/** DatasetSchemaSpec is the part of a Dataset spec that says what the data must look like. */
export interface DatasetSchemaSpec {
  timestampColumn: string;
  entityColumn?: string;
  columns: ColumnSpec[];
  validation?: { minRows?: number; maxNullFraction?: number; maxRejectedFraction?: number };
}

/**
 * ResolvedSource is a Dataset source after its path, url or configMapRef has been
 * resolved: a file, an http(s) URL or inline text in CSV or JSON-lines form, or a
 * PostgreSQL query.
 */
export type ResolvedSource =
  | { format: 'csv' | 'jsonl'; file: string }
  | { format: 'csv' | 'jsonl'; url: string }
  | { format: 'csv' | 'jsonl'; text: string }
  | { format: 'postgres'; connectionString: string; query: string; timeoutMs: number };
