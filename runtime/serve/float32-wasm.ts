import {
  BLOCK,
  br,
  brIf,
  compileOnce,
  ELSE,
  END,
  f32Load,
  f64,
  F64,
  F64_ADD,
  F64_EQ,
  F64_FLOOR,
  F64_GE,
  F64_LT,
  F64_MUL,
  F64_NEG,
  F64_PROMOTE_F32,
  f64Load,
  get,
  i32,
  I32,
  I32_ADD,
  I32_AND,
  I32_EQZ,
  I32_GE_S,
  I32_GE_U,
  I32_GT_S,
  I32_MUL,
  I32_SHL,
  I32_SHR_U,
  I32_SUB,
  I32_TRUNC_F64_U,
  I32_WRAP_I64,
  i32Store,
  i32Store8,
  I64,
  i64,
  I64_AND,
  I64_CLZ,
  I64_EXTEND_I32_U,
  I64_MUL,
  I64_OR,
  I64_SHL,
  I64_SHR_U,
  I64_SUB,
  I64_XOR,
  i64Store,
  IF,
  LOOP,
  moduleOf,
  RETURN,
  SELECT,
  set,
  tee,
  wasm,
  type WasmMemory,
} from '../wasm/assembler.ts';
import { type Float32Text, writeFloat32 } from './float32-json.ts';

/*
 * The kernel, one exported function
 *
 *   write(src, n, out) -> end
 *
 * writes the n FP32 values at byte `src` as comma-separated JSON numbers from byte
 * `out` on, exactly as writeFloat32 writes zeros and values with 1e-6 <= |v| < 1e8
 * (plain notation: nine significant digits, trailing zeros cut). At the
 * first value it does not write (any other magnitude, a NaN or an infinity, or a
 * value whose rounding would carry out of that range: no FP32 value near a power
 * of ten does, but the check keeps the kernel exact by construction) it stops: it
 * stores that value's index at STOP and returns the position where the value
 * would start (after its comma). Having written all n, it stores n at STOP and
 * returns the end. It may write up to 8 bytes past the end it returns.
 *
 * The nine digits are the first one and eight more made in one 64-bit register,
 * eight ASCII bytes in text order (SWAR: 4 + 4 digits, then 2 + 2 in each half,
 * then 1 + 1), stored unaligned; trailing zeros are counted from the register.
 *
 * Memory: STOP; powers of ten 10^0..10^15 and 10^-0..10^-15 as f64 (the same
 * doubles as Number('1e±k'), so exponents and scaling match writeFloat32's); the
 * input values; the text.
 */
const STOP = 0;
const POW10 = 16;
const NEG_POW10 = 144;
const IN = 512;
/** CHUNK is how many values one kernel call takes at most (the input area's size). */
const CHUNK = 256;
/** TEXT is where the text starts: the scratch area handed out by scratch(). */
const TEXT = IN + CHUNK * 4;
/** SLACK covers the kernel's writes past the end it returns. */
const SLACK = 16;

// Parameters, then i32, f64 and i64 locals.
const [SRC, N, OUT] = [0, 1, 2];
const [I, P, START, E, M, X, Z, END_AT, FIRST] = [3, 4, 5, 6, 7, 8, 9, 10, 11];
const [A, S] = [12, 13];
const [D, T] = [14, 15];

const ASCII_ZEROS = 0x3030303030303030n;

/** divide leaves x / divisor (unsigned, x < 10^9) by a multiply and a shift. */
function divide(x: number[], divisor: 10000 | 100000000): number[] {
  const [magic, shift] = divisor === 10000 ? [3518437209n, 45n] : [1441151881n, 57n];
  return [...x, I64_EXTEND_I32_U, ...i64(magic), I64_MUL, ...i64(shift), I64_SHR_U, I32_WRAP_I64];
}

/**
 * eightDigits sets D to the eight decimal digits of X (< 10^8) as ASCII, the first
 * digit in the lowest byte: X / 10^4 and X mod 10^4 in the two 32-bit halves,
 * each split by 100 into 16-bit lanes, each of those by 10 into bytes (the
 * multiply-shift quotients are exact for these ranges and no lane overflows).
 */
function eightDigits(): number[] {
  const split = (magic: number, shift: number, mask: bigint, divisor: number, laneBits: number) => [
    ...get(D), ...i64(BigInt(magic)), I64_MUL, ...i64(BigInt(shift)), I64_SHR_U, ...i64(mask), I64_AND, ...tee(T),
    ...get(D), ...get(T), ...i64(BigInt(divisor)), I64_MUL, I64_SUB, ...i64(BigInt(laneBits)), I64_SHL, I64_OR, ...set(D),
  ];
  return [
    ...divide(get(X), 10000), ...tee(Z), I64_EXTEND_I32_U,
    ...get(X), ...get(Z), ...i32(10000), I32_MUL, I32_SUB, I64_EXTEND_I32_U, ...i64(32n), I64_SHL, I64_OR, ...set(D),
    ...split(10486, 20, 0x7f0000007fn, 100, 16),
    ...split(103, 10, 0x000f000f000f000fn, 10, 8),
    ...get(D), ...i64(ASCII_ZEROS), I64_OR, ...set(D),
  ];
}

const increment = (local: number, by = 1) => [...get(local), ...i32(by), I32_ADD, ...set(local)];
const putByte = (byte: number) => [...get(P), ...i32(byte), ...i32Store8(), ...increment(P)];

function kernelBody(): number[] {
  return [
    ...get(OUT), ...set(P),
    ...BLOCK, // $stop
    ...BLOCK, // $done
    ...LOOP, // $next
    ...get(I), ...get(N), I32_GE_U, ...brIf(1),
    ...get(I), ...IF, ...putByte(44), END,
    ...get(P), ...set(START),
    ...get(SRC), ...get(I), ...i32(2), I32_SHL, I32_ADD, ...f32Load(), F64_PROMOTE_F32, ...set(A),
    ...BLOCK, // $written
    ...get(A), ...f64(0), F64_EQ, ...IF, ...putByte(48), ...br(1), END,
    ...get(A), ...f64(0), F64_LT, ...IF, ...putByte(45), ...get(A), F64_NEG, ...set(A), END,
    // Only 1e-6 <= a < 1e8 here (false for NaN and infinities too).
    ...get(A), ...f64(1e-6), F64_GE, ...get(A), ...f64(1e8), F64_LT, I32_AND, I32_EQZ, ...brIf(3),
    // e: 10^e <= a < 10^(e+1), as decimalExponent finds it.
    ...get(A), ...f64(1), F64_GE,
    ...IF,
    ...i32(0), ...set(E),
    ...LOOP, ...get(A), ...get(E), ...i32(3), I32_SHL, ...f64Load(POW10 + 8), F64_GE, ...IF, ...increment(E), ...br(1), END, END,
    ELSE,
    ...i32(-1), ...set(E),
    ...LOOP, ...get(A), ...i32(0), ...get(E), I32_SUB, ...i32(3), I32_SHL, ...f64Load(NEG_POW10), F64_LT, ...IF, ...increment(E, -1), ...br(1), END, END,
    END,
    // m = Math.round(a * 10^(8 - e)): nine digits, unless rounding carries into a tenth.
    ...get(A), ...i32(8), ...get(E), I32_SUB, ...i32(3), I32_SHL, ...f64Load(POW10), F64_MUL, ...f64(0.5), F64_ADD, F64_FLOOR, ...set(S),
    ...get(S), ...f64(1e9), F64_GE, ...brIf(3),
    ...get(S), I32_TRUNC_F64_U, ...set(M),
    // The first digit in X, the other eight in D, and Z: how many of those eight end in zeros.
    ...get(M), ...divide(get(M), 100000000), ...tee(X), ...i32(100000000), I32_MUL, I32_SUB,
    ...get(X), ...i32(48), I32_ADD, ...set(FIRST),
    ...set(X),
    ...eightDigits(),
    ...get(D), ...i64(ASCII_ZEROS), I64_XOR, I64_CLZ, I32_WRAP_I64, ...i32(3), I32_SHR_U, ...set(Z),
    ...get(E), ...i32(0), I32_GE_S,
    ...IF,
    // e + 1 whole digits, the point, 8 - e fraction digits: the first digit and the
    // eight, the fraction again one place right (D shifted by e digits), the point.
    ...get(P), ...get(FIRST), ...i32Store8(),
    ...get(P), ...get(D), ...i64Store(1),
    ...get(P), ...get(E), I32_ADD, ...get(D), ...get(E), ...i32(3), I32_SHL, I64_EXTEND_I32_U, I64_SHR_U, ...i64Store(2),
    ...get(P), ...get(E), I32_ADD, ...i32(46), ...i32Store8(1),
    // The end: after the fraction's digits up to its last nonzero one, or after the whole digits when there is none.
    ...get(P), ...get(E), I32_ADD, ...i32(1), I32_ADD,
    ...i32(9), ...get(E), I32_SUB, ...get(Z), I32_SUB,
    ...i32(0),
    ...i32(8), ...get(E), I32_SUB, ...get(Z), I32_SUB, ...i32(0), I32_GT_S,
    SELECT, I32_ADD, ...set(END_AT),
    ELSE,
    // "0.", -e - 1 zeros, nine digits: "0.000000" first, the digits over its tail.
    ...get(P), ...i64(0x3030303030302e30n), ...i64Store(),
    ...get(P), ...i32(1), I32_ADD, ...get(E), I32_SUB, ...set(X),
    ...get(X), ...get(FIRST), ...i32Store8(),
    ...get(X), ...get(D), ...i64Store(1),
    ...get(X), ...i32(9), I32_ADD, ...get(Z), I32_SUB, ...set(END_AT),
    END,
    ...get(END_AT), ...set(P),
    END, // $written
    ...increment(I),
    ...br(0),
    END, // $next
    END, // $done
    ...i32(STOP), ...get(N), ...i32Store(),
    ...get(P), RETURN,
    END, // $stop
    ...i32(STOP), ...get(I), ...i32Store(),
    ...get(START),
  ];
}

const kernel = compileOnce(() =>
  moduleOf({ name: 'write', params: [I32, I32, I32], results: [I32], locals: [[9, I32], [2, F64], [2, I64]], body: kernelBody() }),
);

type Write = (src: number, n: number, out: number) => number;

/**
 * wasmFloat32Text is a Float32Text whose scratch is the kernel's memory and whose
 * runs of plain-notation values go through the kernel, about three times as fast
 * as writeFloat32 with the calls and copies around it (npm run bench:float32);
 * values it stops at go through writeFloat32. Undefined where WebAssembly is not
 * available.
 */
export function wasmFloat32Text(): Float32Text | undefined {
  const source = kernel();
  if (source === null || wasm === undefined) return undefined;
  const instance = new wasm.Instance(source, {});
  const memory = instance.exports.memory as WasmMemory;
  const write = instance.exports.write as Write;
  let bytes = new Uint8Array(memory.buffer);
  let values = new Float32Array(memory.buffer);
  let stops = new Int32Array(memory.buffer);
  let text = bytes.subarray(TEXT);
  const doubles = new Float64Array(memory.buffer);
  for (let k = 0; k < 16; k++) {
    doubles[POW10 / 8 + k] = Number(`1e${k}`);
    doubles[NEG_POW10 / 8 + k] = Number(`1e-${k}`);
  }

  /** run writes data[from..from + n) (n <= CHUNK, already copied to IN) at byte `at` of memory; returns the end. */
  const run = (data: Float32Array, from: number, n: number, at: number): number => {
    let p = write(IN, n, at);
    let base = 0;
    for (let stop = stops[STOP / 4]; base + stop < n; stop = stops[STOP / 4]) {
      // The kernel stopped at value base + stop: writeFloat32 writes it, the kernel goes on after it.
      const k = base + stop;
      p = TEXT + writeFloat32(text, p - TEXT, data[from + k]);
      if (k + 1 === n) break;
      bytes[p++] = 44;
      base = k + 1;
      p = write(IN + 4 * base, n - base, p);
    }
    return p;
  };

  return {
    scratch(size) {
      const needed = TEXT + size + SLACK;
      if (needed > memory.buffer.byteLength) {
        memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
        bytes = new Uint8Array(memory.buffer);
        values = new Float32Array(memory.buffer);
        stops = new Int32Array(memory.buffer);
        text = bytes.subarray(TEXT);
      }
      return text;
    },
    writeRun(buf, data, from, to, pos) {
      // Into the scratch, the kernel writes in place; elsewhere, each chunk goes
      // through the start of the scratch and is copied out.
      const inPlace = buf === text;
      let p = pos;
      for (let chunk = from; chunk < to; chunk += CHUNK) {
        const n = Math.min(CHUNK, to - chunk);
        for (let k = 0; k < n; k++) values[IN / 4 + k] = data[chunk + k];
        if (chunk > from) buf[p++] = 44;
        const at = inPlace ? TEXT + p : TEXT;
        const end = run(data, chunk, n, at);
        if (!inPlace) buf.set(bytes.subarray(TEXT, end), p);
        p += end - at;
      }
      return p;
    },
  };
}
