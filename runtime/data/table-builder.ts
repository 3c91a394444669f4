import { booleanCell, describeCell, integerCell, numberCell, textCell } from './cell.ts';
import { DictionaryBuilder, Float64Builder, Int16Builder, Int32Builder } from './column-builder.ts';
import { DataError, missingColumnError } from './data-error.ts';
import { RejectionLog } from './rejection-log.ts';
import {
  compactDictionary,
  entityRanks,
  gatherFloat64,
  gatherInt16,
  gatherInt32,
  sortPermutation,
} from './sort.ts';
import type { ColumnSpec, DatasetSchemaSpec } from './spec.ts';
import type { LoadReport, Table } from './table.ts';
import { epochToMillis, formatTimestamp, newParsedTimestamp, parseTimestamp } from './timestamp.ts';
import { isCategorical, valueColumns } from './value-columns.ts';
import { hashSchemaHeader, hashTable, VersionHasher } from './version.ts';

/** LoadResult is what a load produces: the Table and the report of what was read. */
export interface LoadResult {
  table: Table;
  report: LoadReport;
}

const KIND_NUMBER = 0;
const KIND_INTEGER = 1;
const KIND_BOOLEAN = 2;
const KIND_STRING = 3;
/** Type names by kind, as in ColumnSpec.type. */
const KIND_NAMES = ['number', 'integer', 'boolean', 'string'];
const KIND_OF: Record<string, number> = {
  number: KIND_NUMBER,
  integer: KIND_INTEGER,
  boolean: KIND_BOOLEAN,
  string: KIND_STRING,
};

/**
 * TableBuilder is the sink every loader feeds: it converts one row's cells to the
 * schema's types, checks nulls, ranges, the timestamp and the (entity, time) order,
 * and appends accepted values straight into typed-array column builders; a bad row
 * is counted and its first problem logged with its line number. Rows arriving in
 * order are deduplicated and hashed as they come; on the first row out of order the
 * builder falls back to a stable sort, deduplication and hashing in `finish()`.
 */
export class TableBuilder {
  private readonly schema: DatasetSchemaSpec;
  private readonly label: string;
  private readonly columns: ColumnSpec[];
  private readonly kinds: Uint8Array;
  /** Per value column, its index among the numeric or the categorical builders. */
  private readonly slot: Int32Array;
  private readonly nullable: Uint8Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  /** Source cell index of each required column, in requiredColumns() order. */
  private source: Int32Array | null = null;
  /** Index of the first value column in requiredColumns(): 1, or 2 with an entity column. */
  private readonly valueBase: number;
  private readonly time = new Float64Builder();
  private readonly offsets = new Int16Builder();
  private readonly lines = new Int32Builder();
  private readonly entity: DictionaryBuilder | null;
  private readonly numeric: Float64Builder[] = [];
  private readonly categorical: DictionaryBuilder[] = [];
  private readonly numScratch: Float64Array;
  private readonly textScratch: (string | null)[] = [];
  private readonly parsed = newParsedTimestamp();
  private readonly log = new RejectionLog();
  private hasher: VersionHasher | null = new VersionHasher();
  private rowsRead = 0;
  private inOrder = true;
  private lastTime = 0;
  private lastEntity: string | null = null;

  /** `label` names a row position in reasons: 'line' for files, 'row' for query results. */
  constructor(schema: DatasetSchemaSpec, label: 'line' | 'row' = 'line') {
    this.schema = schema;
    this.label = label;
    this.columns = valueColumns(schema);
    const m = this.columns.length;
    this.kinds = new Uint8Array(m);
    this.slot = new Int32Array(m);
    this.nullable = new Uint8Array(m);
    this.min = new Float64Array(m);
    this.max = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const c = this.columns[k];
      const kind = KIND_OF[c.type];
      if (kind === undefined) throw new TypeError(`column "${c.name}": unknown type ${JSON.stringify(c.type)}`);
      this.kinds[k] = kind;
      this.nullable[k] = c.nullable ? 1 : 0;
      this.min[k] = c.min ?? Number.NEGATIVE_INFINITY;
      this.max[k] = c.max ?? Number.POSITIVE_INFINITY;
      if (isCategorical(c)) {
        this.slot[k] = this.categorical.length;
        this.categorical.push(new DictionaryBuilder());
        this.textScratch.push(null);
      } else {
        this.slot[k] = this.numeric.length;
        this.numeric.push(new Float64Builder());
      }
    }
    this.numScratch = new Float64Array(this.numeric.length);
    this.entity = schema.entityColumn === undefined ? null : new DictionaryBuilder();
    this.valueBase = this.entity === null ? 1 : 2;
    hashSchemaHeader(this.hasher!, schema);
  }

  /** requiredColumns lists the source columns a row needs: timestamp, entity (if any), value columns. */
  requiredColumns(): string[] {
    const names = [this.schema.timestampColumn];
    if (this.schema.entityColumn !== undefined) names.push(this.schema.entityColumn);
    for (const c of this.columns) names.push(c.name);
    return names;
  }

  /** roleOf names the role of `requiredColumns()[index]` for messages: timestamp column, entity column or column. */
  roleOf(index: number): string {
    if (index === 0) return 'timestamp column';
    return index === 1 && this.schema.entityColumn !== undefined ? 'entity column' : 'column';
  }

  /**
   * bind maps the required columns onto the source's columns (a CSV header, query
   * result fields); it throws a DataError naming a missing or repeated column.
   */
  bind(found: readonly string[]): void {
    const required = this.requiredColumns();
    const source = new Int32Array(required.length);
    for (let r = 0; r < required.length; r++) {
      const name = required[r];
      const at = found.indexOf(name);
      const role = this.roleOf(r);
      if (at < 0) throw missingColumnError(name, role, found);
      if (found.indexOf(name, at + 1) >= 0) {
        throw new DataError('DuplicateColumn', `${role} "${name}" appears more than once in the source`);
      }
      source[r] = at;
    }
    this.source = source;
  }

  /** reject counts one row as read and rejected; `reason` is prefixed with the line. */
  reject(line: number, reason: string): void {
    this.rowsRead++;
    if (this.log.wants(line)) this.log.add(line, `${this.label} ${line}: ${reason}`);
    else this.log.skip();
  }

  /**
   * addRow converts and appends one row whose cells are `cells[i]` at the indices
   * `bind` mapped (text for CSV, JSON values for JSON lines); a bad row is rejected
   * (counted and logged). It returns whether the row was accepted.
   */
  addRow(cells: ArrayLike<unknown>, line: number): boolean {
    const source = this.source;
    if (source === null) throw new Error('TableBuilder.addRow before bind');
    this.rowsRead++;
    const tsCell = cells[source[0]];
    let time: number;
    let offset = 0;
    if (typeof tsCell === 'string' && tsCell !== '') {
      if (!parseTimestamp(tsCell, this.parsed)) {
        return this.fail(line, this.schema.timestampColumn, `invalid timestamp ${describeCell(tsCell)}: ${this.parsed.error}`);
      }
      time = this.parsed.epochMs;
      offset = this.parsed.offsetMinutes;
    } else if (typeof tsCell === 'number') {
      time = epochToMillis(tsCell);
      if (Number.isNaN(time)) return this.fail(line, this.schema.timestampColumn, `invalid timestamp ${describeCell(tsCell)}`);
    } else if (tsCell === null || tsCell === undefined || tsCell === '') {
      return this.fail(line, this.schema.timestampColumn, 'missing timestamp');
    } else {
      return this.fail(line, this.schema.timestampColumn, `expected a timestamp, got ${describeCell(tsCell)}`);
    }

    let entity: string | null = null;
    if (this.entity !== null) {
      const cell = cells[source[1]];
      const text = textCell(cell);
      if (text === undefined) return this.fail(line, this.schema.entityColumn!, `expected string, got ${describeCell(cell)}`);
      if (text === null) return this.fail(line, this.schema.entityColumn!, 'missing entity');
      entity = text;
    }

    const kinds = this.kinds;
    const base = this.valueBase;
    for (let k = 0; k < kinds.length; k++) {
      const cell = cells[source[base + k]];
      const kind = kinds[k];
      if (kind === KIND_STRING) {
        const text = textCell(cell);
        if (text === undefined) return this.fail(line, this.columns[k].name, `expected string, got ${describeCell(cell)}`);
        if (text === null && this.nullable[k] === 0) return this.fail(line, this.columns[k].name, 'null in a non-nullable column');
        this.textScratch[this.slot[k]] = text;
        continue;
      }
      const v = kind === KIND_NUMBER ? numberCell(cell) : kind === KIND_BOOLEAN ? booleanCell(cell) : integerCell(cell);
      if (v === undefined) {
        return this.fail(line, this.columns[k].name, `expected ${KIND_NAMES[kind]}, got ${describeCell(cell)}`);
      }
      if (Number.isNaN(v)) {
        if (this.nullable[k] === 0) return this.fail(line, this.columns[k].name, 'null in a non-nullable column');
      } else if (v < this.min[k]) {
        return this.fail(line, this.columns[k].name, `${v} is below the minimum ${this.min[k]}`);
      } else if (v > this.max[k]) {
        return this.fail(line, this.columns[k].name, `${v} is above the maximum ${this.max[k]}`);
      }
      this.numScratch[this.slot[k]] = v;
    }

    if (this.inOrder && this.time.length > 0) {
      const last = this.lastEntity;
      if (entity === last) {
        if (time === this.lastTime) return this.duplicate(line, this.lines.data[this.lines.length - 1], time, offset, entity);
        if (time < this.lastTime) this.outOfOrder();
      } else if (entity! < last!) {
        this.outOfOrder();
      }
    }
    this.commit(line, time, offset, entity);
    return true;
  }

  private commit(line: number, time: number, offset: number, entity: string | null): void {
    this.time.push(time);
    this.offsets.push(offset);
    this.lines.push(line);
    if (this.entity !== null) this.entity.push(entity);
    for (let j = 0; j < this.numeric.length; j++) this.numeric[j].push(this.numScratch[j]);
    for (let j = 0; j < this.categorical.length; j++) this.categorical[j].push(this.textScratch[j]);
    this.lastTime = time;
    this.lastEntity = entity;
    const h = this.hasher;
    if (h !== null) {
      h.number(time);
      h.number(offset);
      if (this.entity !== null) h.text(entity);
      const kinds = this.kinds;
      for (let k = 0; k < kinds.length; k++) {
        if (kinds[k] === KIND_STRING) h.text(this.textScratch[this.slot[k]]);
        else h.number(this.numScratch[this.slot[k]]);
      }
    }
  }

  private outOfOrder(): void {
    this.inOrder = false;
    this.hasher = null;
  }

  private fail(line: number, column: string, problem: string): false {
    if (this.log.wants(line)) this.log.add(line, `${this.label} ${line}: column "${column}": ${problem}`);
    else this.log.skip();
    return false;
  }

  private duplicate(line: number, firstLine: number, time: number, offset: number, entity: string | null): false {
    if (!this.log.wants(line)) {
      this.log.skip();
      return false;
    }
    const of = entity === null ? '' : ` for entity ${describeCell(entity)}`;
    this.log.add(
      line,
      `${this.label} ${line}: duplicate timestamp ${formatTimestamp(time, offset)}${of} (first on ${this.label} ${firstLine})`,
    );
    return false;
  }

  /**
   * finish returns the Table (sorted by entity and time, duplicates after the first
   * rejected) and the LoadReport with the content version. Call it once, after the last row.
   */
  finish(): LoadResult {
    if (this.inOrder) {
      const table = this.assemble(null);
      return { table, report: this.report(table, this.hasher!.digest()) };
    }
    const n = this.time.length;
    const time = this.time.data;
    const codes = this.entity === null ? null : this.entity.codes.data;
    const ranks = this.entity === null ? null : entityRanks(this.entity.dictionary);
    const perm = sortPermutation(n, time, codes, ranks);
    const keep = new Int32Array(n);
    let kept = 0;
    for (let j = 0; j < n; j++) {
      const i = perm[j];
      if (kept > 0) {
        const prev = keep[kept - 1];
        if (time[i] === time[prev] && (codes === null || codes[i] === codes[prev])) {
          this.duplicate(
            this.lines.data[i],
            this.lines.data[prev],
            time[i],
            this.offsets.data[i],
            codes === null ? null : this.entity!.dictionary[codes[i]],
          );
          continue;
        }
      }
      keep[kept++] = i;
    }
    const table = this.assemble(keep.subarray(0, kept));
    return { table, report: this.report(table, hashTable(table, this.schema)) };
  }

  private assemble(keep: Int32Array | null): Table {
    const f64 = (b: Float64Builder) => (keep === null ? b.finish() : gatherFloat64(b.data, keep));
    const dict = (b: DictionaryBuilder) => {
      if (keep === null) return b.finish();
      const codes = gatherInt32(b.codes.data, keep);
      return { codes, dictionary: keep.length < b.length ? compactDictionary(codes, b.dictionary.slice()) : b.dictionary.slice() };
    };
    const numeric = new Map<string, Float64Array>();
    const categorical = new Map<string, { codes: Int32Array; dictionary: string[] }>();
    for (let k = 0; k < this.columns.length; k++) {
      const name = this.columns[k].name;
      if (this.kinds[k] === KIND_STRING) categorical.set(name, dict(this.categorical[this.slot[k]]));
      else numeric.set(name, f64(this.numeric[this.slot[k]]));
    }
    const table: Table = {
      rows: keep === null ? this.time.length : keep.length,
      time: f64(this.time),
      offsetMinutes: keep === null ? this.offsets.finish() : gatherInt16(this.offsets.data, keep),
      numeric,
      categorical,
    };
    if (this.entity !== null) {
      const name = this.schema.entityColumn!;
      categorical.set(name, dict(this.entity));
      table.entityColumn = name;
    }
    return table;
  }

  private report(table: Table, version: string): LoadReport {
    return {
      rowsRead: this.rowsRead,
      rowsAccepted: table.rows,
      rowsRejected: this.log.count,
      rejections: this.log.kept.slice(),
      version,
    };
  }
}
