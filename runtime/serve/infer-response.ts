import type { BatchOutputs } from './batcher.ts';
import { errors } from './errors.ts';
import { FLOAT32_JSON_MAX_BYTES, writeFloat32 } from './float32-json.ts';
import type { OutputName } from './infer-request.ts';

/**
 * inferResponsePrefix is the constant head of every inference response for one model,
 * built once at load: `{"model_name":...,"model_version":...` as UTF-8 bytes.
 */
export function inferResponsePrefix(modelName: string, modelVersion: string): Buffer {
  return Buffer.from(`{"model_name":${JSON.stringify(modelName)},"model_version":${JSON.stringify(modelVersion)}`, 'utf8');
}

/** RESPONSE_SLAB_BYTES is the size of each slab response bodies are carved from (256 KiB). */
export const RESPONSE_SLAB_BYTES = 256 * 1024;

let slab = Buffer.allocUnsafeSlow(RESPONSE_SLAB_BYTES);
let slabUsed = 0;

/**
 * reserve returns a view of `size` free bytes: a slab of our own, like Node's Buffer
 * pool but without its 4 KiB limit, and `commit` hands back what the body did not
 * use, so a ~1 KiB response of a 2 KiB bound takes 1 KiB. Slabs are never reused
 * (a socket may still be writing a body from one), and a slab is freed once no
 * body in it is alive. Bodies larger than 1/8 of a slab get a buffer of their own.
 */
function reserve(size: number): Buffer {
  if (size > RESPONSE_SLAB_BYTES / 8) return Buffer.allocUnsafe(size);
  if (slabUsed + size > RESPONSE_SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(RESPONSE_SLAB_BYTES);
    slabUsed = 0;
  }
  return slab.subarray(slabUsed, slabUsed + size);
}

/** commit marks the first `used` bytes of the last reserved view taken, 8-byte aligned. */
function commit(buf: Buffer, used: number): void {
  if (buf.buffer === slab.buffer) slabUsed += (used + 7) & ~7;
}

const latin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const CLOSE = latin1(']}]}');

/**
 * segmentsFor returns the constant bytes before each output's data for one
 * (outputs, rows, horizon): `,"outputs":[{"name":"forecast","shape":[1,24],"datatype":"FP32","data":[`
 * for the first, `]},{"name":"lower",...,"data":[` for the next. Requests of one
 * shape follow each other, so the last set built is kept and reused.
 */
let lastSegments: { outputs: readonly OutputName[]; rows: number; horizon: number; segments: Uint8Array[]; bytes: number } | undefined;
function segmentsFor(outputs: readonly OutputName[], rows: number, horizon: number): { segments: Uint8Array[]; bytes: number } {
  const last = lastSegments;
  if (last !== undefined && last.outputs === outputs && last.rows === rows && last.horizon === horizon) return last;
  const segments = outputs.map((name, i) =>
    latin1(`${i === 0 ? ',"outputs":[' : ']},'}{"name":"${name}","shape":[${rows},${horizon}],"datatype":"FP32","data":[`),
  );
  const made = { outputs, rows, horizon, segments, bytes: segments.reduce((sum, segment) => sum + segment.length, CLOSE.length) };
  lastSegments = made;
  return made;
}

/**
 * serializeInferResponse writes an OIP `$inference_response` as JSON bytes directly:
 * the outputs asked for, each FP32 [rows, horizon] with flat row-major data (values
 * `start` to `start + rows * horizon` of each of `result`'s arrays), numbers
 * written by writeFloat32 (9 significant digits at most, exact for FP32). Building
 * bytes skips a JS string per number and the UTF-8 encoding of the whole body; the
 * constant pieces are copied from byte arrays made once per response shape. Throws
 * FST_FLUXORA_PREDICTION_FAILED when the model produced a NaN or an infinity,
 * which JSON cannot carry.
 */
export function serializeInferResponse(
  prefix: Buffer,
  id: string | undefined,
  rows: number,
  horizon: number,
  outputs: readonly OutputName[],
  result: BatchOutputs,
  start = 0,
): Buffer {
  const { segments, bytes } = segmentsFor(outputs, rows, horizon);
  // The request's values: rows x horizon from start (fewer only if a caller passes less).
  const end = Math.min(start + rows * horizon, result.point.length);
  // An id is at most MAX_ID_LENGTH characters; JSON-escaped and UTF-8 encoded, at most 6 bytes each, plus `,"id":""`.
  const idBound = id === undefined ? 0 : 8 + id.length * 6;
  const buf = reserve(prefix.length + idBound + bytes + outputs.length * rows * horizon * (FLOAT32_JSON_MAX_BYTES + 1));
  buf.set(prefix, 0);
  let pos = prefix.length;
  if (id !== undefined) pos = writeId(buf, pos, id);
  let v = 0;
  try {
    for (let i = 0; i < outputs.length; i++) {
      const name = outputs[i];
      const data = name === 'forecast' ? result.point : name === 'lower' ? result.lower : result.upper;
      const segment = segments[i];
      buf.set(segment, pos);
      pos += segment.length;
      v = data[start];
      pos = writeFloat32(buf, pos, v);
      for (let j = start + 1; j < end; j++) {
        buf[pos++] = 44;
        v = data[j];
        pos = writeFloat32(buf, pos, v);
      }
    }
  } catch (error) {
    if (error instanceof RangeError) throw new errors.FST_FLUXORA_PREDICTION_FAILED(`the model returned ${v} (not a finite number)`);
    throw error;
  }
  buf.set(CLOSE, pos);
  pos += CLOSE.length;
  commit(buf, pos);
  return buf.subarray(0, pos);
}

/** writeId writes `,"id":` and the id as a JSON string: printable ASCII byte by byte, anything else through JSON.stringify. */
function writeId(buf: Buffer, pos: number, id: string): number {
  let plain = true;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (!plain) return pos + buf.write(`,"id":${JSON.stringify(id)}`, pos, 'utf8');
  buf.set(ID_OPEN, pos);
  pos += ID_OPEN.length;
  for (let i = 0; i < id.length; i++) buf[pos++] = id.charCodeAt(i);
  buf[pos++] = 34;
  return pos;
}
const ID_OPEN = latin1(',"id":"');

/** requireFinite throws FST_FLUXORA_PREDICTION_FAILED when `values` holds a NaN or an infinity. */
export function requireFinite(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) throw new errors.FST_FLUXORA_PREDICTION_FAILED(`the model returned ${v} (not a finite number)`);
  }
}
