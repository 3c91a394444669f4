import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, initBackend, useBackend, wasmDistDirectory } from './backend.ts';

describe('initBackend', () => {
  it('selects a backend once, logs it once with a fixed message, and returns the same answer after', async () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const log = { info: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) };
    const first = initBackend(log);
    const second = initBackend(log);
    expect(second).toBe(first);
    const name = await first;
    expect(BACKEND_ORDER).toContain(name);
    expect(tf.getBackend()).toBe(name);
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toBe('Tensor backend selected');
    expect(lines[0].fields['backend']).toBe(name);
    if (name !== 'tensorflow') {
      // tfjs-node is absent on development machines: the log says why it was passed over.
      expect(lines[0].fields['rejected']).toEqual([{ backend: 'tensorflow', reason: expect.stringContaining('tfjs-node') }]);
    }
    if (name === 'wasm') expect(lines[0].fields).toMatchObject({ simd: expect.any(Boolean), threads: 1 });
  });
});

describe('useBackend', () => {
  it('finds the wasm binaries on disk and runs kernels on wasm and cpu', async () => {
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
      expect(existsSync(path.join(wasmDistDirectory(), file))).toBe(true);
    }
    for (const backend of ['wasm', 'cpu'] as const) {
      expect(await useBackend(backend)).toEqual({ backend, ok: true });
      expect(tf.getBackend()).toBe(backend);
      const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2])).dataSync());
      expect(Array.from(product)).toEqual([1, 2, 3, 4]);
    }
  });

  it('reports a missing package instead of throwing', async () => {
    const attempt = await useBackend('tensorflow');
    if (!attempt.ok) expect(attempt.reason).toMatch(/tfjs-node/);
  });
});
