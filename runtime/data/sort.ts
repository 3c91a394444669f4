/**
 * Row ordering over typed arrays: a stable index permutation by (entity, time) and
 * gathers that apply it, so a Table is reordered column by column without per-row
 * objects.
 */

/**
 * entityRanks returns, for each dictionary code, the rank of its string in code
 * unit order, so rows can be ordered by entity with integer comparisons.
 */
export function entityRanks(dictionary: readonly string[]): Int32Array {
  const order = new Int32Array(dictionary.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (dictionary[a] < dictionary[b] ? -1 : dictionary[a] > dictionary[b] ? 1 : 0));
  const ranks = new Int32Array(dictionary.length);
  for (let r = 0; r < order.length; r++) ranks[order[r]] = r;
  return ranks;
}

/**
 * sortPermutation returns row indices ordered by (entity rank, time), ties kept in
 * input order (stable). `codes`/`ranks` are null when there is no entity column.
 * Rows are first bucketed by entity with a counting sort (one pass); each entity's
 * run is then comparison sorted only if its times are not already in order.
 */
export function sortPermutation(
  rows: number,
  time: Float64Array,
  codes: Int32Array | null,
  ranks: Int32Array | null,
): Int32Array {
  const perm = new Int32Array(rows);
  const byTime = (a: number, b: number) => time[a] - time[b] || a - b;
  if (codes === null || ranks === null) {
    for (let i = 0; i < rows; i++) perm[i] = i;
    sortRunByTime(perm, 0, rows, time, byTime);
    return perm;
  }
  const starts = new Int32Array(ranks.length + 1);
  for (let i = 0; i < rows; i++) starts[ranks[codes[i]] + 1]++;
  for (let r = 0; r < ranks.length; r++) starts[r + 1] += starts[r];
  const next = starts.slice(0, ranks.length);
  for (let i = 0; i < rows; i++) perm[next[ranks[codes[i]]]++] = i;
  for (let r = 0; r < ranks.length; r++) sortRunByTime(perm, starts[r], starts[r + 1], time, byTime);
  return perm;
}

function sortRunByTime(
  perm: Int32Array,
  from: number,
  to: number,
  time: Float64Array,
  byTime: (a: number, b: number) => number,
): void {
  for (let j = from + 1; j < to; j++) {
    if (time[perm[j]] < time[perm[j - 1]]) {
      perm.subarray(from, to).sort(byTime);
      return;
    }
  }
}

/** gatherFloat64 returns `source[index[j]]` for each j. */
export function gatherFloat64(source: Float64Array, index: Int32Array): Float64Array {
  const out = new Float64Array(index.length);
  for (let j = 0; j < index.length; j++) out[j] = source[index[j]];
  return out;
}

/** gatherInt32 returns `source[index[j]]` for each j. */
export function gatherInt32(source: Int32Array, index: Int32Array): Int32Array {
  const out = new Int32Array(index.length);
  for (let j = 0; j < index.length; j++) out[j] = source[index[j]];
  return out;
}

/** gatherInt16 returns `source[index[j]]` for each j. */
export function gatherInt16(source: Int16Array, index: Int32Array): Int16Array {
  const out = new Int16Array(index.length);
  for (let j = 0; j < index.length; j++) out[j] = source[index[j]];
  return out;
}

/**
 * compactDictionary drops dictionary entries no code uses (after rows were removed),
 * renumbering `codes` in place; it returns the dictionary to use.
 */
export function compactDictionary(codes: Int32Array, dictionary: string[]): string[] {
  const remap = new Int32Array(dictionary.length).fill(-1);
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) remap[codes[i]] = 0;
  let next = 0;
  const kept: string[] = [];
  for (let c = 0; c < dictionary.length; c++) {
    if (remap[c] === 0) {
      remap[c] = next++;
      kept.push(dictionary[c]);
    }
  }
  if (next === dictionary.length) return dictionary;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) codes[i] = remap[codes[i]];
  return kept;
}
