/**
 * A small WebAssembly assembler: instruction encodings as byte arrays to spread
 * into a function body, and a module of one exported function and its memory.
 * The project has no build step and no WebAssembly toolchain, so its kernels
 * (runtime/models/dense-simd.ts, runtime/serve/float32-wasm.ts) are written with
 * these, one instruction per element, in the order a stack machine runs them.
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;

// Control.
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const IF = [0x04, 0x40];
export const ELSE = 0x05;
export const END = 0x0b;
export const br = (depth: number) => [0x0c, depth];
export const brIf = (depth: number) => [0x0d, depth];
export const RETURN = 0x0f;
export const SELECT = 0x1b;

// Locals and constants.
export const get = (i: number) => [0x20, i];
export const set = (i: number) => [0x21, i];
export const tee = (i: number) => [0x22, i];
export const i32 = (v: number) => [0x41, ...sleb(BigInt(v))];
export const i64 = (v: bigint) => [0x42, ...sleb(v)];
export const f64 = (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];

// Memory: `align` is log2 of the natural alignment, `offset` a constant byte offset added to the address.
const memory = (opcode: number, align: number) => (offset = 0) => [opcode, align, ...uleb(offset)];
export const i32Load = memory(0x28, 2);
export const i64Load = memory(0x29, 3);
export const f32Load = memory(0x2a, 2);
export const f64Load = memory(0x2b, 3);
export const i32Load8U = memory(0x2d, 0);
export const i32Load16U = memory(0x2f, 1);
export const i32Store = memory(0x36, 2);
export const i64Store = memory(0x37, 3);
export const i32Store8 = memory(0x3a, 0);
export const i32Store16 = memory(0x3b, 1);

// Numeric.
export const I32_EQZ = 0x45;
export const I32_EQ = 0x46;
export const I32_GT_S = 0x4a;
export const I32_GE_S = 0x4e;
export const I32_GE_U = 0x4f;
export const F64_EQ = 0x61;
export const F64_LT = 0x63;
export const F64_GE = 0x66;
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_MUL = 0x6c;
export const I32_AND = 0x71;
export const I32_SHL = 0x74;
export const I32_SHR_U = 0x76;
export const I64_CLZ = 0x79;
export const I64_SUB = 0x7d;
export const I64_MUL = 0x7e;
export const I64_AND = 0x83;
export const I64_OR = 0x84;
export const I64_XOR = 0x85;
export const I64_SHL = 0x86;
export const I64_SHR_U = 0x88;
export const F64_NEG = 0x9a;
export const F64_FLOOR = 0x9c;
export const F64_ADD = 0xa0;
export const F64_MUL = 0xa2;
export const I32_WRAP_I64 = 0xa7;
export const I32_TRUNC_F64_U = 0xab;
export const I64_EXTEND_I32_U = 0xad;
export const F64_PROMOTE_F32 = 0xbb;

// SIMD.
export const v128Load = (offset: number) => [0xfd, 0x00, 0x04, ...uleb(offset)];
export const v128Store = (offset: number) => [0xfd, 0x0b, 0x04, ...uleb(offset)];
export const F32X4_SPLAT = [0xfd, 0x13];
export const F32X4_ADD = [0xfd, 0xe4, 0x01];
export const F32X4_MUL = [0xfd, 0xe6, 0x01];
export const F32X4_MAX = [0xfd, 0xe9, 0x01];

export interface FunctionSpec {
  /** The exported function's name. */
  name: string;
  params: number[];
  results: number[];
  /** Locals after the parameters, as runs of [count, type]. */
  locals: Array<[number, number]>;
  /** The instructions, without the final END. */
  body: number[];
}

/**
 * moduleOf assembles a module that exports one function and its own memory
 * (`memory`, one page to start; the caller grows it).
 */
export function moduleOf(fn: FunctionSpec): Uint8Array {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (text: string) => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
  const code = [...uleb(fn.locals.length), ...fn.locals.flatMap(([count, type]) => [...uleb(count), type]), ...fn.body, END];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, fn.params.length, ...fn.params, fn.results.length, ...fn.results]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name(fn.name), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0);
  return bytes;
}

/** sleb is the signed LEB128 encoding of an i32 or i64 constant. */
export function sleb(value: bigint): number[] {
  const bytes: number[] = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
/** wasm is the WebAssembly API, or undefined where there is none (e.g. node --jitless). */
export const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * compileOnce returns a function that compiles `bytes()` on first call and returns
 * the module from then on, or null where WebAssembly (or a feature the module
 * uses, like SIMD) is not available.
 */
export function compileOnce(bytes: () => Uint8Array): () => object | null {
  let compiled: object | null | undefined;
  return () => {
    if (compiled === undefined) {
      try {
        if (wasm === undefined) throw new Error('no WebAssembly');
        compiled = new wasm.Module(bytes());
      } catch {
        compiled = null;
      }
    }
    return compiled;
  };
}
