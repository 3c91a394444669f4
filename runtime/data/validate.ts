import type { DatasetSchemaSpec } from './spec.ts';
import type { LoadReport, Table } from './table.ts';
import { isCategorical, valueColumns } from './value-columns.ts';

/** ValidationCheck is one rule's outcome, with a message saying what was found against the limit. */
export interface ValidationCheck {
  name: string;
  passed: boolean;
  message: string;
}

/** ValidationResult is the outcome of validateTable: passed when every check passed. */
export interface ValidationResult {
  passed: boolean;
  checks: ValidationCheck[];
}

/** VALIDATION_DEFAULTS are the rules used when the spec leaves them out (the Dataset CRD defaults). */
export const VALIDATION_DEFAULTS = { minRows: 1, maxNullFraction: 0.05, maxRejectedFraction: 0 } as const;

/**
 * validateTable checks a loaded Table against the schema's validation rules:
 * `minRows` (accepted rows), `maxNullFraction` (each value column's share of nulls)
 * and `maxRejectedFraction` (rejected rows over rows read; the default 0 means any
 * rejected row fails). Rules left out use VALIDATION_DEFAULTS.
 */
export function validateTable(table: Table, report: LoadReport, schema: DatasetSchemaSpec): ValidationResult {
  const rules = schema.validation ?? {};
  const checks: ValidationCheck[] = [];

  const minRows = rules.minRows ?? VALIDATION_DEFAULTS.minRows;
  checks.push({
    name: 'minRows',
    passed: table.rows >= minRows,
    message: `${table.rows} rows accepted; at least ${minRows} required${rules.minRows === undefined ? ' (default)' : ''}`,
  });

  const maxNull = rules.maxNullFraction ?? VALIDATION_DEFAULTS.maxNullFraction;
  for (const column of valueColumns(schema)) {
    const nulls = isCategorical(column)
      ? countNullCodes(table.categorical.get(column.name)?.codes)
      : countNaN(table.numeric.get(column.name));
    const fraction = table.rows === 0 ? 0 : nulls / table.rows;
    checks.push({
      name: `maxNullFraction:${column.name}`,
      passed: fraction <= maxNull,
      message: `column "${column.name}": ${nulls} of ${table.rows} values null (${percent(fraction)}); at most ${percent(maxNull)} allowed${rules.maxNullFraction === undefined ? ' (default)' : ''}`,
    });
  }

  const maxRejected = rules.maxRejectedFraction ?? VALIDATION_DEFAULTS.maxRejectedFraction;
  const rejected = report.rowsRead === 0 ? 0 : report.rowsRejected / report.rowsRead;
  const passed = maxRejected === 0 ? report.rowsRejected === 0 : rejected <= maxRejected;
  let message = `${report.rowsRejected} of ${report.rowsRead} rows rejected (${percent(rejected)}); at most ${percent(maxRejected)} allowed`;
  if (maxRejected === 0) {
    message += `${rules.maxRejectedFraction === undefined ? ' by default' : ''}: any rejected row fails validation`;
    if (!passed) message += '; set validation.maxRejectedFraction to tolerate some';
  }
  if (!passed && report.rejections.length > 0) message += `; first: ${report.rejections[0].reason}`;
  checks.push({ name: 'maxRejectedFraction', passed, message });

  return { passed: checks.every((c) => c.passed), checks };
}

function countNaN(values: Float64Array | undefined): number {
  if (values === undefined) return 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) n++;
  return n;
}

function countNullCodes(codes: Int32Array | undefined): number {
  if (codes === undefined) return 0;
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] < 0) n++;
  return n;
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}
