import { createHash, type Hash } from 'node:crypto';
import type { DatasetSchemaSpec } from './spec.ts';
import type { Table } from './table.ts';
import { isCategorical, valueColumns } from './value-columns.ts';

/**
 * The dataset version is a content hash of the accepted, normalised values, not of
 * the source bytes, so the same data hashes the same whatever its format (CSV, JSON
 * lines, PostgreSQL), column order, number spelling (`1.50` vs `1.5`) or timestamp
 * spelling. It is sha256 over:
 *
 * - a header: the text `fluxora.dataset/v1`, the timestamp column name, the entity
 *   column name (or null), then each value column's name and type in declared order;
 * - then every row in (entity, time) order: time (epoch ms) and offset minutes as
 *   float64, the entity as text, then each value column in declared order: numbers
 *   as little-endian float64 (NaN = null, canonical bits; -0 written as 0), strings
 *   as a 1 byte, a uint32 UTF-8 length and the bytes, null strings as a 0 byte.
 *
 * The version is the first 16 hex characters of the digest.
 */

const VERSION_MAGIC = 'fluxora.dataset/v1';
const BUFFER_BYTES = 1 << 16;

/** VersionHasher streams values into sha256 through a reusable buffer (no per-value allocation). */
export class VersionHasher {
  private readonly hash: Hash = createHash('sha256');
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private readonly view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private pos = 0;

  /** number appends a float64 (NaN canonicalised, -0 as 0). */
  number(value: number): void {
    if (this.pos + 8 > BUFFER_BYTES) this.flush();
    if (Number.isNaN(value)) {
      this.view.setUint32(this.pos, 0, true);
      this.view.setUint32(this.pos + 4, 0x7ff80000, true);
    } else {
      this.view.setFloat64(this.pos, value === 0 ? 0 : value, true);
    }
    this.pos += 8;
  }

  /** text appends a string (length prefixed UTF-8) or null. */
  text(value: string | null): void {
    if (value === null) {
      if (this.pos + 1 > BUFFER_BYTES) this.flush();
      this.buf[this.pos++] = 0;
      return;
    }
    const worst = value.length * 3 + 5;
    if (this.pos + worst > BUFFER_BYTES) this.flush();
    if (worst > BUFFER_BYTES) {
      const bytes = Buffer.from(value, 'utf8');
      this.buf[0] = 1;
      this.view.setUint32(1, bytes.length, true);
      this.hash.update(this.buf.subarray(0, 5));
      this.hash.update(bytes);
      return;
    }
    this.buf[this.pos] = 1;
    const written = this.buf.write(value, this.pos + 5, 'utf8');
    this.view.setUint32(this.pos + 1, written, true);
    this.pos += 5 + written;
  }

  /** digest finishes the hash and returns the version: the first 16 hex characters. */
  digest(): string {
    this.flush();
    return this.hash.digest('hex').slice(0, 16);
  }

  private flush(): void {
    if (this.pos > 0) this.hash.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

/** hashSchemaHeader appends the version header (column names and types) for a schema. */
export function hashSchemaHeader(hasher: VersionHasher, schema: DatasetSchemaSpec): void {
  hasher.text(VERSION_MAGIC);
  hasher.text(schema.timestampColumn);
  hasher.text(schema.entityColumn ?? null);
  for (const c of valueColumns(schema)) {
    hasher.text(c.name);
    hasher.text(c.type);
  }
}

/**
 * hashTable computes the version of a whole Table in one pass (rows must already be
 * in (entity, time) order); loaders whose rows arrive in order compute the same
 * value incrementally instead.
 */
export function hashTable(table: Table, schema: DatasetSchemaSpec): string {
  const hasher = new VersionHasher();
  hashSchemaHeader(hasher, schema);
  const columns = valueColumns(schema);
  const numeric: (Float64Array | null)[] = [];
  const categorical: ({ codes: Int32Array; dictionary: string[] } | null)[] = [];
  for (const c of columns) {
    numeric.push(isCategorical(c) ? null : table.numeric.get(c.name)!);
    categorical.push(isCategorical(c) ? table.categorical.get(c.name)! : null);
  }
  const entity = schema.entityColumn === undefined ? null : table.categorical.get(schema.entityColumn)!;
  const { time, offsetMinutes } = table;
  for (let i = 0; i < table.rows; i++) {
    hasher.number(time[i]);
    hasher.number(offsetMinutes[i]);
    if (entity !== null) hasher.text(entity.dictionary[entity.codes[i]]);
    for (let k = 0; k < columns.length; k++) {
      const num = numeric[k];
      if (num !== null) {
        hasher.number(num[i]);
      } else {
        const cat = categorical[k]!;
        const code = cat.codes[i];
        hasher.text(code < 0 ? null : cat.dictionary[code]);
      }
    }
  }
  return hasher.digest();
}
