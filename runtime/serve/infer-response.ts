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

// Bytes of `{"name":"lower","shape":[,],"datatype":"FP32","data":[]}` with room for two 16-digit dimensions.
const OUTPUT_OVERHEAD = 96;

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

const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const OUTPUTS_OPEN = ascii(',"outputs":[');
/** OUTPUT_OPEN[name] is `{"name":"NAME","shape":[` (index 0) and the same after a comma (index 1). */
const OUTPUT_OPEN: Record<OutputName, [Uint8Array, Uint8Array]> = {
  forecast: [ascii('{"name":"forecast","shape":['), ascii(',{"name":"forecast","shape":[')],
  lower: [ascii('{"name":"lower","shape":['), ascii(',{"name":"lower","shape":[')],
  upper: [ascii('{"name":"upper","shape":['), ascii(',{"name":"upper","shape":[')],
};
const DATA_OPEN = ascii('],"datatype":"FP32","data":[');

/**
 * serializeInferResponse writes an OIP `$inference_response` as JSON bytes directly:
 * the outputs asked for, each FP32 [rows, horizon] with flat row-major data, numbers
 * written by writeFloat32 (9 significant digits at most, exact for FP32). Building
 * bytes skips a JS string per number and the UTF-8 encoding of the whole body; the
 * constant pieces are copied from byte arrays made once. Throws
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
): Buffer {
  const idPart = id === undefined ? '' : `,"id":${JSON.stringify(id)}`;
  const size =
    prefix.length + idPart.length * 3 + 16 + outputs.length * (OUTPUT_OVERHEAD + rows * horizon * (FLOAT32_JSON_MAX_BYTES + 1));
  const buf = reserve(size);
  buf.set(prefix, 0);
  let pos = prefix.length;
  if (idPart !== '') pos += buf.write(idPart, pos, 'utf8');
  buf.set(OUTPUTS_OPEN, pos);
  pos += OUTPUTS_OPEN.length;
  for (let i = 0; i < outputs.length; i++) {
    const name = outputs[i];
    const data = name === 'forecast' ? result.point : name === 'lower' ? result.lower : result.upper;
    const open = OUTPUT_OPEN[name][i === 0 ? 0 : 1];
    buf.set(open, pos);
    pos = writeInteger(buf, pos + open.length, rows);
    buf[pos++] = 44;
    pos = writeInteger(buf, pos, horizon);
    buf.set(DATA_OPEN, pos);
    pos += DATA_OPEN.length;
    for (let j = 0; j < data.length; j++) {
      if (j > 0) buf[pos++] = 44;
      const v = data[j];
      if (v - v !== 0) throw new errors.FST_FLUXORA_PREDICTION_FAILED(`the model returned ${v} (not a finite number)`);
      pos = writeFloat32(buf, pos, v);
    }
    buf[pos++] = 93;
    buf[pos++] = 125;
  }
  buf[pos++] = 93;
  buf[pos++] = 125;
  commit(buf, pos);
  return buf.subarray(0, pos);
}

/** writeInteger writes a non-negative safe integer in decimal at pos and returns the position after it. */
function writeInteger(buf: Uint8Array, pos: number, n: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  for (let i = pos + digits - 1; i >= pos; i--) {
    const q = Math.floor(n / 10);
    buf[i] = 48 + n - q * 10;
    n = q;
  }
  return pos + digits;
}

/** requireFinite throws FST_FLUXORA_PREDICTION_FAILED when `values` holds a NaN or an infinity. */
export function requireFinite(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) throw new errors.FST_FLUXORA_PREDICTION_FAILED(`the model returned ${v} (not a finite number)`);
  }
}
