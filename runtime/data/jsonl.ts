import { describeCell } from './cell.ts';
import { missingColumnError } from './data-error.ts';
import type { Chunks } from './source.ts';
import type { TableBuilder } from './table-builder.ts';

const KEYS_SAMPLED = 100;

/**
 * readJsonl streams JSON lines (one object per line) into a TableBuilder. A line
 * that is not valid JSON or not an object is rejected with its 1-based line number;
 * blank lines are skipped. A key missing from an object is a null cell; a declared
 * column that no object has at all is a DataError (MissingColumn) at the end.
 * Byte chunks are decoded as UTF-8 (a leading BOM is dropped).
 */
export async function readJsonl(
  input: Chunks,
  builder: TableBuilder,
  signal?: AbortSignal,
): Promise<void> {
  const names = builder.requiredColumns();
  builder.bind(names);
  const cells: unknown[] = new Array(names.length).fill(null);
  const seen = new Uint8Array(names.length);
  let unseen = names.length;
  const found = new Set<string>();
  let objects = 0;
  let line = 0;

  const handle = (text: string): void => {
    line++;
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text === '' || text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      builder.reject(line, `malformed JSON: ${(e as Error).message}`);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      builder.reject(line, `expected a JSON object, got ${describeCell(value)}`);
      return;
    }
    const row = value as Record<string, unknown>;
    if (objects++ < KEYS_SAMPLED) for (const key of Object.keys(row)) found.add(key);
    for (let k = 0; k < names.length; k++) {
      const cell = row[names[k]];
      cells[k] = cell;
      if (unseen > 0 && seen[k] === 0 && cell !== undefined) {
        seen[k] = 1;
        unseen--;
      }
    }
    builder.addRow(cells, line);
  };

  const decoder = new TextDecoder('utf-8');
  let partial = '';
  for await (const chunk of input) {
    signal?.throwIfAborted();
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      handle(partial === '' ? text.slice(start, nl) : partial + text.slice(start, nl));
      partial = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) partial += text.slice(start);
  }
  partial += decoder.decode();
  if (partial !== '') handle(partial);
  if (objects > 0 && unseen > 0) {
    const missing = seen.indexOf(0);
    throw missingColumnError(names[missing], builder.roleOf(missing), [...found]);
  }
}
