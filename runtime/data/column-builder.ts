/**
 * Growable typed-array column builders: values are appended one at a time into a
 * typed array whose capacity doubles when full, so a column of n rows costs O(n)
 * amortised with no per-value objects. `finish()` returns an exactly sized copy.
 */

const INITIAL_CAPACITY = 1024;

/** Float64Builder appends float64 values (numeric columns, timestamps). */
export class Float64Builder {
  /** The backing array; only the first `length` entries are meaningful. It is replaced when it grows. */
  data: Float64Array;
  length = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.data = new Float64Array(Math.max(1, capacity));
  }

  /** push appends one value. */
  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Float64Array(this.data.length * 2));
    this.data[this.length++] = value;
  }

  /** finish returns the values as an exactly sized array. */
  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** Int16Builder appends int16 values (UTC offsets in minutes). */
export class Int16Builder {
  /** The backing array; only the first `length` entries are meaningful. */
  data: Int16Array;
  length = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.data = new Int16Array(Math.max(1, capacity));
  }

  /** push appends one value (truncated to int16). */
  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Int16Array(this.data.length * 2));
    this.data[this.length++] = value;
  }

  /** finish returns the values as an exactly sized array. */
  finish(): Int16Array {
    return this.data.slice(0, this.length);
  }
}

/** Int32Builder appends int32 values (dictionary codes, source line numbers). */
export class Int32Builder {
  /** The backing array; only the first `length` entries are meaningful. */
  data: Int32Array;
  length = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.data = new Int32Array(Math.max(1, capacity));
  }

  /** push appends one value (truncated to int32). */
  push(value: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Int32Array(this.data.length * 2));
    this.data[this.length++] = value;
  }

  /** finish returns the values as an exactly sized array. */
  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * DictionaryBuilder appends strings to a dictionary-encoded (categorical) column:
 * each distinct string gets the next code, in first-seen order; null is code -1.
 */
export class DictionaryBuilder {
  /** The codes appended so far. */
  readonly codes: Int32Builder;
  /** The distinct strings; `dictionary[code]` is the value of a code. */
  readonly dictionary: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(capacity = INITIAL_CAPACITY) {
    this.codes = new Int32Builder(capacity);
  }

  /** length is the number of values appended. */
  get length(): number {
    return this.codes.length;
  }

  /**
   * codeOf returns the code of a string, adding it to the dictionary when new. A new
   * value is stored as a copy, so a value sliced out of a large input chunk does not
   * keep the whole chunk alive.
   */
  codeOf(value: string): number {
    let code = this.index.get(value);
    if (code === undefined) {
      const own = detach(value);
      code = this.dictionary.length;
      this.dictionary.push(own);
      this.index.set(own, code);
    }
    return code;
  }

  /** push appends one value; null is stored as code -1. */
  push(value: string | null): void {
    this.codes.push(value === null ? -1 : this.codeOf(value));
  }

  /** finish returns exactly sized codes and the dictionary. */
  finish(): { codes: Int32Array; dictionary: string[] } {
    return { codes: this.codes.finish(), dictionary: this.dictionary.slice() };
  }
}

/** detach returns a flat copy of a string that may be a slice of (or a rope over) a larger one. */
function detach(value: string): string {
  // V8 copies slices shorter than 13 characters already.
  return value.length < 13 ? value : Buffer.from(value, 'utf16le').toString('utf16le');
}

function grow<T extends Float64Array | Int16Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
