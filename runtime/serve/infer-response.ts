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

/**
 * serializeInferResponse writes an OIP `$inference_response` as JSON bytes directly:
 * the outputs asked for, each FP32 [rows, horizon] with flat row-major data, numbers
 * written by writeFloat32 (9 significant digits at most, exact for FP32). Building
 * bytes skips a JS string per number and the UTF-8 encoding of the whole body; the
 * hot path spends about half of what Float32Array#join would. Throws
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
    prefix.length + Buffer.byteLength(idPart) + 16 + outputs.length * (OUTPUT_OVERHEAD + rows * horizon * (FLOAT32_JSON_MAX_BYTES + 1));
  const buf = Buffer.allocUnsafe(size);
  let pos = prefix.copy(buf, 0);
  if (idPart !== '') pos += buf.write(idPart, pos, 'utf8');
  pos += buf.write(',"outputs":[', pos, 'latin1');
  const head = `","shape":[${rows},${horizon}],"datatype":"FP32","data":[`;
  for (let i = 0; i < outputs.length; i++) {
    const name = outputs[i];
    const data = name === 'forecast' ? result.point : name === 'lower' ? result.lower : result.upper;
    pos += buf.write(i === 0 ? `{"name":"${name}${head}` : `,{"name":"${name}${head}`, pos, 'latin1');
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
  return buf.subarray(0, pos);
}

/** requireFinite throws FST_FLUXORA_PREDICTION_FAILED when `values` holds a NaN or an infinity. */
export function requireFinite(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) throw new errors.FST_FLUXORA_PREDICTION_FAILED(`the model returned ${v} (not a finite number)`);
  }
}
