import { DataError } from './data-error.ts';
import type { Chunks } from './source.ts';
import type { TableBuilder } from './table-builder.ts';

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * CsvRecordHandler receives one record: `fields[0..count)` (the array is reused for
 * the next record), the 1-based line the record starts on, and a problem when the
 * record is malformed (bad quoting), else null.
 */
export type CsvRecordHandler = (fields: string[], count: number, line: number, problem: string | null) => void;

/**
 * CsvTokenizer is an incremental RFC 4180 tokenizer: `push` text chunks of any size
 * (a record or a field may span chunks), then `end`. Fields are separated by commas,
 * records by LF or CRLF; a field may be quoted, with `""` for a quote and with commas
 * and line breaks inside. Empty lines are skipped (but counted for line numbers).
 * Text after a closing quote or a quote inside an unquoted field is kept literally
 * and reported as a problem; an unterminated quote is reported at the end.
 *
 * A record that lies wholly in the chunk and has no quote is split with indexOf
 * (native scanning) and sliced straight out of the chunk; anything else goes
 * through a character-level state machine that can stop and resume at any point.
 */
export class CsvTokenizer {
  private readonly onRecord: CsvRecordHandler;
  private readonly fields: string[] = [];
  private count = 0;
  /** Text of the current field read so far (from earlier chunks or before a quote). */
  private partial = '';
  /** Whether a record has started (a field, a quote or text was read since the last record ended). */
  private inRecord = false;
  private quoted = false;
  private afterQuote = false;
  private fieldQuoted = false;
  private problem: string | null = null;
  private line = 1;
  private recordLine = 1;

  constructor(onRecord: CsvRecordHandler) {
    this.onRecord = onRecord;
  }

  /** push tokenizes the next chunk of text. */
  push(text: string): void {
    const n = text.length;
    const fields = this.fields;
    let pos = 0;
    let nextQuote = -1;
    let nextComma = -1;
    while (pos < n) {
      if (!this.inRecord) {
        const lf = text.indexOf('\n', pos);
        if (lf >= 0) {
          if (nextQuote < pos) nextQuote = indexOrEnd(text, '"', pos);
          if (nextQuote > lf) {
            let end = lf;
            if (end > pos && text.charCodeAt(end - 1) === CR) end--;
            if (end > pos) {
              let count = 0;
              let start = pos;
              if (nextComma < start) nextComma = indexOrEnd(text, ',', start);
              while (nextComma < end) {
                fields[count++] = text.slice(start, nextComma);
                start = nextComma + 1;
                nextComma = indexOrEnd(text, ',', start);
              }
              fields[count++] = text.slice(start, end);
              this.onRecord(fields, count, this.line, null);
            }
            this.line++;
            pos = lf + 1;
            continue;
          }
        }
      }
      pos = this.scan(text, pos);
    }
  }

  /**
   * scan runs the character state machine from `from` until the current record
   * ends (returning the index after its line break) or the chunk does (returning
   * its length, with the unfinished field carried in `partial`).
   */
  private scan(text: string, from: number): number {
    const n = text.length;
    const fields = this.fields;
    let quoted = this.quoted;
    let afterQuote = this.afterQuote;
    let seg = from;
    if (!this.inRecord) this.recordLine = this.line;
    this.inRecord = true;
    for (let i = from; i < n; i++) {
      const c = text.charCodeAt(i);
      if (quoted) {
        if (c === QUOTE) {
          this.partial += text.slice(seg, i);
          quoted = false;
          afterQuote = true;
          seg = i + 1;
        } else if (c === LF) {
          this.line++;
        }
        continue;
      }
      if (afterQuote) {
        afterQuote = false;
        if (c === QUOTE) {
          this.partial += '"';
          quoted = true;
          seg = i + 1;
          continue;
        }
        if (c === CR && (i + 1 === n || text.charCodeAt(i + 1) === LF)) {
          seg = i + 1;
          continue;
        }
        if (c !== COMMA && c !== LF) this.problem ??= 'malformed CSV: text after a closing quote';
      }
      if (c === COMMA) {
        fields[this.count++] = this.partial === '' ? text.slice(seg, i) : this.partial + text.slice(seg, i);
        this.partial = '';
        this.fieldQuoted = false;
        seg = i + 1;
      } else if (c === LF) {
        let value = this.partial === '' ? text.slice(seg, i) : this.partial + text.slice(seg, i);
        this.partial = '';
        if (!this.fieldQuoted && value.charCodeAt(value.length - 1) === CR) value = value.slice(0, -1);
        this.finishRecord(value);
        this.line++;
        this.quoted = false;
        this.afterQuote = false;
        return i + 1;
      } else if (c === QUOTE) {
        if (seg === i && this.partial === '' && !this.fieldQuoted) {
          quoted = true;
          this.fieldQuoted = true;
          seg = i + 1;
        } else {
          this.problem ??= 'malformed CSV: quote inside an unquoted field';
        }
      }
    }
    if (seg < n) this.partial += text.slice(seg);
    this.quoted = quoted;
    this.afterQuote = afterQuote;
    return n;
  }

  /** end flushes the last record (one without a final line break). */
  end(): void {
    if (!this.inRecord) return;
    if (this.quoted) this.problem ??= 'malformed CSV: unterminated quoted field';
    let value = this.partial;
    this.partial = '';
    if (!this.fieldQuoted && value.charCodeAt(value.length - 1) === CR) value = value.slice(0, -1);
    this.finishRecord(value);
    this.quoted = false;
    this.afterQuote = false;
  }

  /** finishRecord adds the last field and emits the record, unless the line was empty. */
  private finishRecord(last: string): void {
    if (this.count > 0 || this.fieldQuoted || last !== '') {
      this.fields[this.count++] = last;
      const count = this.count;
      const problem = this.problem;
      this.count = 0;
      this.problem = null;
      this.onRecord(this.fields, count, this.recordLine, problem);
    }
    this.count = 0;
    this.problem = null;
    this.fieldQuoted = false;
    this.inRecord = false;
  }
}

/** indexOrEnd is indexOf, with the text's length instead of -1 when absent. */
function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
}

/**
 * readCsv streams CSV text (a header row, then data rows) into a TableBuilder: the
 * header is bound to the schema (a DataError names a missing column), each record
 * with the header's field count is added, others are rejected with their line.
 * Byte chunks are decoded as UTF-8 (a leading BOM is dropped).
 */
export async function readCsv(
  input: Chunks,
  builder: TableBuilder,
  signal?: AbortSignal,
): Promise<void> {
  let width = -1;
  const tokenizer = new CsvTokenizer((fields, count, line, problem) => {
    if (width < 0) {
      const names = fields.slice(0, count).map((f) => f.trim());
      if (names[0].charCodeAt(0) === 0xfeff) names[0] = names[0].slice(1).trim();
      builder.bind(names);
      width = count;
    } else if (problem !== null) {
      builder.reject(line, problem);
    } else if (count !== width) {
      builder.reject(line, `expected ${width} fields, got ${count}`);
    } else {
      builder.addRow(fields, line);
    }
  });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of input) {
    signal?.throwIfAborted();
    tokenizer.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  const rest = decoder.decode();
  if (rest !== '') tokenizer.push(rest);
  tokenizer.end();
  if (width < 0) throw new DataError('EmptySource', 'the CSV source is empty: it has no header row');
}
