import { parseDecimal } from './number.ts';

/**
 * Cell conversion: a cell arrives as text (CSV, PostgreSQL text results) or as a
 * JSON value (JSON lines) and is converted to the column's declared type. The
 * number converters return NaN for a null cell and undefined for a value of the
 * wrong type; the text converter returns null for a null cell.
 */

const NUMERIC_NULLS = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None']);
const TRUE_TEXT = new Set(['true', 'True', 'TRUE', 't', 'T', 'yes', 'Yes', 'YES', 'y', 'Y', '1']);
const FALSE_TEXT = new Set(['false', 'False', 'FALSE', 'f', 'F', 'no', 'No', 'NO', 'n', 'N', '0']);

/**
 * numberCell converts a cell of a `number` column: JSON numbers, decimal text; NaN
 * for null (null, missing, empty, NA, NaN, null, NULL, None), undefined otherwise
 * (including infinities).
 */
export function numberCell(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.isNaN(value) ? Number.NaN : undefined;
  if (typeof value === 'string') {
    if (value === '') return Number.NaN;
    const v = parseDecimal(value);
    if (!Number.isNaN(v)) return Number.isFinite(v) ? v : undefined;
    return NUMERIC_NULLS.has(value.trim()) ? Number.NaN : undefined;
  }
  if (value === null || value === undefined) return Number.NaN;
  return undefined;
}

/** integerCell converts a cell of an `integer` column: like numberCell, but the value must be whole. */
export function integerCell(value: unknown): number | undefined {
  const v = numberCell(value);
  return v === undefined || Number.isNaN(v) || Number.isInteger(v) ? v : undefined;
}

/**
 * booleanCell converts a cell of a `boolean` column to 1 or 0: JSON booleans, 0/1,
 * true/false, t/f, yes/no, y/n (any of the usual cases); NaN for null.
 */
export function booleanCell(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    if (TRUE_TEXT.has(value)) return 1;
    if (FALSE_TEXT.has(value)) return 0;
    const t = value.trim();
    if (t !== value) return booleanCell(t);
    return NUMERIC_NULLS.has(value) ? Number.NaN : undefined;
  }
  if (typeof value === 'number') return value === 1 ? 1 : value === 0 ? 0 : undefined;
  if (value === null || value === undefined) return Number.NaN;
  return undefined;
}

/**
 * textCell converts a cell of a `string` column (or the entity column): text as is,
 * JSON numbers and booleans as their text; null for null, missing or empty; undefined
 * for JSON objects and arrays.
 */
export function textCell(value: unknown): string | null | undefined {
  if (typeof value === 'string') return value === '' ? null : value;
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** describeCell renders a cell for a rejection reason: JSON text, at most about 40 characters. */
export function describeCell(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 42 ? `${text.slice(0, 40)}…` : text;
}
