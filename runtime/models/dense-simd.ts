import type * as tf from '@tensorflow/tfjs';
import {
  BLOCK,
  br,
  brIf,
  compileOnce,
  END,
  F32X4_ADD,
  F32X4_MAX,
  F32X4_MUL,
  F32X4_SPLAT,
  f32Load,
  get,
  I32,
  I32_ADD,
  I32_GE_S,
  I32_GE_U,
  I32_MUL,
  i32,
  IF,
  LOOP,
  moduleOf,
  set,
  tee,
  V128,
  v128Load,
  v128Store,
  type WasmMemory,
  wasm,
} from '../wasm/assembler.ts';
import type { DenseForward } from './dense-forward.ts';

/**
 * The WebAssembly SIMD kernel of compileDenseSimd, assembled here by hand with
 * runtime/wasm/assembler.ts (the project has no build step and no WebAssembly
 * toolchain). One exported function,
 *
 *   dense(x, xStride, rows, w, b, y, yStride, inputs, groups, relu)
 *
 * computes, for each of `rows` rows, y = bias + x · W over `groups` groups of 16
 * units (four f32x4 accumulators, so the four add chains overlap), with ReLU when
 * `relu` is not 0. Byte offsets into its exported memory: x rows `xStride` apart
 * holding `inputs` floats; W `inputs` rows of groups x 16 floats; b groups x 16
 * floats; y rows `yStride` apart. W, b and y are 16-byte aligned.
 */
// Parameters 0-9, then i32 locals 10-17 and v128 locals 18-23 (23 stays zero).
const [X, X_STRIDE, ROWS, W, B, Y, Y_STRIDE, INPUTS, GROUPS, RELU] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [R, G, XP, XEND, WP, W_STRIDE, GO, YP] = [10, 11, 12, 13, 14, 15, 16, 17];
const ACC = [18, 19, 20, 21];
const S = 22;
const ZERO = 23;

function kernelBody(): number[] {
  // Locals: 8 i32, 6 v128 (see kernelModule).
  return [
    ...get(GROUPS), ...i32(64), I32_MUL, ...set(W_STRIDE),
    ...BLOCK, ...LOOP,
    ...get(R), ...get(ROWS), I32_GE_S, ...brIf(1),
    ...i32(0), ...set(G),
    ...BLOCK, ...LOOP,
    ...get(G), ...get(GROUPS), I32_GE_S, ...brIf(1),
    ...get(G), ...i32(64), I32_MUL, ...set(GO),
    // The accumulators start at the group's bias.
    ...get(B), ...get(GO), I32_ADD, ...set(WP),
    ...ACC.flatMap((a, i) => [...get(WP), ...v128Load(16 * i), ...set(a)]),
    ...get(W), ...get(GO), I32_ADD, ...set(WP),
    ...get(X), ...get(R), ...get(X_STRIDE), I32_MUL, I32_ADD, ...tee(XP),
    ...get(INPUTS), ...i32(4), I32_MUL, I32_ADD, ...set(XEND),
    ...BLOCK, ...LOOP,
    ...get(XP), ...get(XEND), I32_GE_U, ...brIf(1),
    ...get(XP), ...f32Load(), ...F32X4_SPLAT, ...set(S),
    ...ACC.flatMap((a, i) => [...get(a), ...get(S), ...get(WP), ...v128Load(16 * i), ...F32X4_MUL, ...F32X4_ADD, ...set(a)]),
    ...get(XP), ...i32(4), I32_ADD, ...set(XP),
    ...get(WP), ...get(W_STRIDE), I32_ADD, ...set(WP),
    ...br(0),
    END, END,
    ...get(RELU), ...IF,
    ...ACC.flatMap((a) => [...get(a), ...get(ZERO), ...F32X4_MAX, ...set(a)]),
    END,
    ...get(Y), ...get(R), ...get(Y_STRIDE), I32_MUL, I32_ADD, ...get(GO), I32_ADD, ...set(YP),
    ...ACC.flatMap((a, i) => [...get(YP), ...get(a), ...v128Store(16 * i)]),
    ...get(G), ...i32(1), I32_ADD, ...set(G),
    ...br(0),
    END, END,
    ...get(R), ...i32(1), I32_ADD, ...set(R),
    ...br(0),
    END, END,
  ];
}

function kernelModule(): Uint8Array {
  return moduleOf({ name: 'dense', params: Array(10).fill(I32), results: [], locals: [[8, I32], [6, V128]], body: kernelBody() });
}

type Kernel = (
  x: number,
  xStride: number,
  rows: number,
  w: number,
  b: number,
  y: number,
  yStride: number,
  inputs: number,
  groups: number,
  relu: number,
) => void;

/** simdModule compiles the kernel once, or returns null where WebAssembly SIMD is not available. */
const simdModule = compileOnce(kernelModule);

const LINEAR = 0;
const RELU_ACT = 1;
const TANH = 2;
const SIGMOID = 3;
const ACTIVATIONS: Record<string, number> = { linear: LINEAR, relu: RELU_ACT, tanh: TANH, sigmoid: SIGMOID };

/** CHUNK_ROWS bounds the rows one pass through the kernel takes, and so its memory. */
export const CHUNK_ROWS = 256;

interface SimdLayer {
  inputs: number;
  units: number;
  groups: number;
  /** Byte offsets of the padded kernel and bias in the kernel's memory. */
  w: number;
  b: number;
  activation: number;
}

/**
 * compileDenseSimd is compileDense's forward pass run by a WebAssembly SIMD kernel:
 * four-wide FP32 multiply-adds, sixteen units at a time, a few times faster per
 * row than the JavaScript loop. Units are padded to multiples of 16 with zero
 * weights; each layer's outputs are FP32, as in TensorFlow.js (sums are FP32 too,
 * in a different order, so results agree to FP32 rounding, not bit for bit). ReLU
 * runs in the kernel, tanh and sigmoid in JavaScript between layers. Returns
 * undefined for models compileDense declines, and where WebAssembly SIMD is not
 * available. Rows run in chunks of CHUNK_ROWS, so memory stays bounded.
 */
export function compileDenseSimd(model: tf.LayersModel): DenseForward | undefined {
  const source = simdModule();
  if (source === null || wasm === undefined) return undefined;
  const weights: Array<{ inputs: number; units: number; kernel: Float32Array; bias: Float32Array | undefined; activation: number }> = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'Dropout' || cls === 'FluxoraSeededDropout') continue;
    if (cls !== 'Dense') return undefined;
    const config = layer.getConfig() as { activation?: string };
    const activation = ACTIVATIONS[config.activation ?? 'linear'];
    if (activation === undefined) return undefined;
    const [kernel, bias] = layer.getWeights();
    const [inputs, units] = kernel.shape as [number, number];
    weights.push({ inputs, units, kernel: kernel.dataSync() as Float32Array, bias: bias?.dataSync() as Float32Array | undefined, activation });
  }
  if (weights.length === 0) return undefined;

  // Memory: the layers' padded kernels and biases, then the input rows of a chunk,
  // then two activation buffers of a chunk's rows at the widest padded layer.
  const layers: SimdLayer[] = [];
  let at = 0;
  const align = (n: number) => Math.ceil(n / 16) * 16;
  for (const { inputs, units, activation } of weights) {
    const groups = Math.ceil(units / 16);
    const w = at;
    at = align(w + inputs * groups * 64);
    const b = at;
    at = align(b + groups * 64);
    layers.push({ inputs, units, groups, w, b, activation });
  }
  const nInputs = layers[0].inputs;
  const last = layers[layers.length - 1];
  const rowBytes = Math.max(...layers.map((l) => l.groups * 64));
  const xAt = at;
  const actAt = [align(xAt + CHUNK_ROWS * nInputs * 4), 0];
  actAt[1] = actAt[0] + CHUNK_ROWS * rowBytes;
  const bytes = actAt[1] + CHUNK_ROWS * rowBytes;
  const instance = new wasm.Instance(source, {});
  // The module defines its own memory (one page): grow it to fit, then lay the weights out.
  const memory = instance.exports.memory as WasmMemory;
  const pages = Math.ceil(bytes / 65536);
  const have = memory.buffer.byteLength / 65536;
  if (pages > have) memory.grow(pages - have);
  const heap = new Float32Array(memory.buffer);
  for (let l = 0; l < layers.length; l++) {
    const { inputs, units, groups, w, b } = layers[l];
    const { kernel, bias } = weights[l];
    const stride = groups * 16;
    for (let k = 0; k < inputs; k++) heap.set(kernel.subarray(k * units, (k + 1) * units), w / 4 + k * stride);
    if (bias) heap.set(bias, b / 4);
  }
  const dense = instance.exports.dense as Kernel;

  return (X, n) => {
    const out = new Float32Array(n * last.units);
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      heap.set(X.subarray(start * nInputs, (start + rows) * nInputs), xAt / 4);
      let x = xAt;
      let xStride = nInputs * 4;
      for (let l = 0; l < layers.length; l++) {
        const layer = layers[l];
        const y = actAt[l & 1];
        const yStride = layer.groups * 64;
        dense(x, xStride, rows, layer.w, layer.b, y, yStride, layer.inputs, layer.groups, layer.activation === RELU_ACT ? 1 : 0);
        if (layer.activation === TANH || layer.activation === SIGMOID) activate(heap, y / 4, yStride / 4, rows, layer.units, layer.activation);
        x = y;
        xStride = yStride;
      }
      // x now holds the last layer's padded rows.
      const from = x / 4;
      const stride = xStride / 4;
      const units = last.units;
      for (let r = 0; r < rows; r++) {
        const src = from + r * stride;
        const dst = (start + r) * units;
        for (let j = 0; j < units; j++) out[dst + j] = heap[src + j];
      }
    }
    return out;
  };
}

function activate(heap: Float32Array, at: number, stride: number, rows: number, units: number, activation: number): void {
  for (let r = 0; r < rows; r++) {
    const row = at + r * stride;
    for (let j = row; j < row + units; j++) heap[j] = activation === TANH ? Math.tanh(heap[j]) : 1 / (1 + Math.exp(-heap[j]));
  }
}
