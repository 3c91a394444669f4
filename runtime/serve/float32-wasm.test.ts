import { describe, expect, it } from 'vitest';
import { FLOAT32_JSON_MAX_BYTES, type Float32Text, jsFloat32Text } from './float32-json.ts';
import { wasmFloat32Text } from './float32-wasm.ts';

/**
 * textOf is what `writer` writes for data[from..to) at `pos` of its scratch (as
 * its contract says to take one), or of a separate array when `elsewhere`.
 */
function textOf(writer: Float32Text, data: Float32Array, from = 0, to = data.length, pos = 0, elsewhere = false): string {
  const size = pos + (to - from) * (FLOAT32_JSON_MAX_BYTES + 1);
  const buf = elsewhere ? new Uint8Array(size) : writer.scratch(size);
  const end = writer.writeRun(buf, data, from, to, pos);
  return Buffer.from(buf.buffer, buf.byteOffset + pos, end - pos).toString('latin1');
}

/** firstDifference is '' when both texts agree, otherwise the first value they write differently. */
function firstDifference(data: Float32Array, from: number, got: string, want: string): string {
  if (got === want) return '';
  const [g, w] = [got.split(','), want.split(',')];
  const i = w.findIndex((text, k) => text !== g[k]);
  return `value ${from + i} (${data[from + i]}): ${g[i]}, expected ${w[i]} (${g.length} and ${w.length} values)`;
}

/** lcg is a seeded generator of 32-bit words. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

describe('wasmFloat32Text', () => {
  const wasm = wasmFloat32Text();
  const js = jsFloat32Text();

  it('is available on this Node.js', () => {
    expect(wasm).toBeDefined();
  });

  it('writes what writeFloat32 writes: random bit patterns, magnitudes around the plain range, edge values', () => {
    const next = lcg(2024);
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    const edges = [0, -0, 1, -1, 10, 1e8, 99999999, 99999999.5, 9.99999999, 9.9999999e-7, 1e-6, 1.0000001e-6, 0.1, 0.999999999, 123456.789, 16777216, 1e-45, 3.4e38].map(Math.fround);
    for (let run = 0; run < 400; run++) {
      const data = new Float32Array(500);
      for (let i = 0; i < data.length; i++) {
        const kind = next() % 3;
        if (kind === 0) {
          bits[0] = next();
          data[i] = Number.isFinite(asFloat[0]) ? asFloat[0] : 1;
        } else if (kind === 1) {
          data[i] = (next() & 1 ? -1 : 1) * 10 ** ((next() / 2 ** 32) * 18 - 8);
        } else {
          data[i] = edges[next() % edges.length] * (next() & 1 ? -1 : 1);
        }
      }
      expect(firstDifference(data, 0, textOf(wasm!, data), textOf(js, data))).toBe('');
    }
  });

  it('writes what writeFloat32 writes for every FP32 value near each power of ten and of two in its range', () => {
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    const near: number[] = [];
    const centres = [...Array.from({ length: 16 }, (_, k) => Number(`1e${k - 7}`)), ...Array.from({ length: 49 }, (_, k) => 2 ** (k - 21))];
    for (const centre of centres) {
      asFloat[0] = centre;
      const at = bits[0];
      for (let d = -1000; d <= 1000; d++) {
        bits[0] = at + d;
        near.push(asFloat[0]);
      }
    }
    const data = Float32Array.from(near);
    expect(firstDifference(data, 0, textOf(wasm!, data), textOf(js, data))).toBe('');
  });

  it('writes runs longer than its input chunk, from any start, at any position, into its scratch or elsewhere', () => {
    const data = Float32Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? 1e9 + i : Math.sin(i) * 50));
    for (const [from, to, pos] of [
      [0, 1000, 0],
      [3, 700, 11],
      [255, 257, 5],
      [999, 1000, 1],
      [10, 10, 4],
    ]) {
      const want = textOf(js, data, from, to, pos);
      expect(firstDifference(data, from, textOf(wasm!, data, from, to, pos), want)).toBe('');
      expect(firstDifference(data, from, textOf(wasm!, data, from, to, pos, true), want)).toBe('');
    }
  });

  it('grows its scratch for large bodies and keeps writing correctly after', () => {
    const data = Float32Array.from({ length: 20_000 }, (_, i) => i / 3 - 1000);
    const big = wasm!.scratch(20_000 * 23);
    expect(big.length).toBeGreaterThanOrEqual(20_000 * 23);
    expect(firstDifference(data, 0, textOf(wasm!, data), textOf(js, data))).toBe('');
    expect(textOf(wasm!, Float32Array.of(0.5, -2))).toBe('0.5,-2');
  });

  it('throws writeFloat32\'s RangeError at NaN and infinities', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => wasm!.writeRun(wasm!.scratch(100), Float32Array.of(1, 2, bad, 3), 0, 4, 0)).toThrow(RangeError);
    }
  });
});
