import type { ColumnSpec, DatasetSchemaSpec } from './spec.ts';

/**
 * valueColumns returns the schema's declared columns other than the timestamp and
 * entity columns, in declared order: the columns whose values a Table holds besides
 * `time` and the entity.
 */
export function valueColumns(schema: DatasetSchemaSpec): ColumnSpec[] {
  return schema.columns.filter((c) => c.name !== schema.timestampColumn && c.name !== schema.entityColumn);
}

/** isCategorical says whether a column is stored dictionary encoded (strings) rather than as float64. */
export function isCategorical(column: ColumnSpec): boolean {
  return column.type === 'string';
}
