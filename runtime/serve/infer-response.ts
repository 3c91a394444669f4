import type { BatchOutputs } from './batcher.ts';
import { errors } from './errors.ts';
import { FLOAT32_JSON_MAX_BYTES, type Float32Text, jsFloat32Text } from './float32-json.ts';
import type { OutputName } from './infer-request.ts';

/**
 * inferResponsePrefix is the constant head of every inference response for one model,
 * built once at load: `{"model_name":...,"model_version":...` as UTF-8 bytes.
 */
export function inferResponsePrefix(modelName: string, modelVersion: string): Buffer {
  return Buffer.from(`{"model_name":${JSON.stringify(modelName)},"model_version":${JSON.stringify(modelVersion)}`, 'utf8');
}

/** TEXT builds response bodies: FP32 numbers by writeFloat32, into a reused scratch. */
const TEXT: Float32Text = jsFloat32Text();

/**
 * SCRATCH_BYTES bounds the bodies built in TEXT's scratch (about 1,400 values), so
 * that one large response does not keep a large scratch for the life of the
 * process; larger bodies are built in a buffer of their own and sent from it.
 */
export const SCRATCH_BYTES = 32 * 1024;

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
 * written as writeFloat32 writes them (9 significant digits at most, exact for
 * FP32). The body is built in TEXT's scratch (up to SCRATCH_BYTES; constant
 * pieces copied from byte arrays made once per response shape, numbers by TEXT)
 * and copied out once, at its size: no JS string per number and no UTF-8
 * encoding of the whole body. Throws FST_FLUXORA_PREDICTION_FAILED when the
 * model produced a NaN or an infinity, which JSON cannot carry.
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
  const size = prefix.length + idBound + bytes + outputs.length * (end - start) * (FLOAT32_JSON_MAX_BYTES + 1);
  const own = size > SCRATCH_BYTES ? Buffer.allocUnsafe(size) : undefined;
  const buf = own ?? TEXT.scratch(size);
  buf.set(prefix, 0);
  let pos = prefix.length;
  if (id !== undefined) pos = writeId(buf, pos, id);
  for (let i = 0; i < outputs.length; i++) {
    const name = outputs[i];
    const data = name === 'forecast' ? result.point : name === 'lower' ? result.lower : result.upper;
    const segment = segments[i];
    buf.set(segment, pos);
    pos += segment.length;
    try {
      pos = TEXT.writeRun(buf, data, start, end, pos);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      const bad = data.subarray(start, end).find((v) => !Number.isFinite(v));
      throw new errors.FST_FLUXORA_PREDICTION_FAILED(`the model returned ${bad} (not a finite number)`);
    }
  }
  buf.set(CLOSE, pos);
  pos += CLOSE.length;
  return own === undefined ? Buffer.copyBytesFrom(buf, 0, pos) : own.subarray(0, pos);
}

/** writeId writes `,"id":` and the id as a JSON string: printable ASCII byte by byte, anything else through JSON.stringify. */
function writeId(buf: Uint8Array, pos: number, id: string): number {
  let plain = true;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (!plain) {
    const escaped = Buffer.from(`,"id":${JSON.stringify(id)}`, 'utf8');
    buf.set(escaped, pos);
    return pos + escaped.length;
  }
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
