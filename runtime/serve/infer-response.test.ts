import { describe, expect, it } from 'vitest';
import { inferResponsePrefix, SCRATCH_BYTES, serializeInferResponse } from './infer-response.ts';

const outputs = (values: number[]) => {
  const point = Float32Array.from(values);
  return { point, lower: point.map((v) => v - 1), upper: point.map((v) => v + 1) };
};

describe('serializeInferResponse', () => {
  it('writes the OIP response as JSON: prefix, escaped id, outputs in the order asked for', () => {
    const prefix = inferResponsePrefix('energy "east"', '12');
    const body = serializeInferResponse(prefix, 'id "quoted" é ✓', 2, 3, ['upper', 'forecast'], outputs([1.5, -2, 0, 21.3, 1e-7, 123456]));
    expect(JSON.parse(body.toString('utf8'))).toEqual({
      model_name: 'energy "east"',
      model_version: '12',
      id: 'id "quoted" é ✓',
      outputs: [
        { name: 'upper', shape: [2, 3], datatype: 'FP32', data: [2.5, -1, 1, 22.2999992, 1.00000012, 123457] },
        { name: 'forecast', shape: [2, 3], datatype: 'FP32', data: [1.5, -2, 0, 21.2999992, 1.00000001e-7, 123456] },
      ],
    });
  });

  it('leaves the id out when the request had none, and writes large row counts exactly', () => {
    const rows = 1_234_567;
    const body = serializeInferResponse(inferResponsePrefix('m', '1'), undefined, rows, 1, ['lower'], outputs([0.5]));
    const parsed = JSON.parse(body.toString('utf8'));
    expect(parsed.id).toBeUndefined();
    expect(parsed.outputs[0].shape).toEqual([rows, 1]);
  });

  it('never lets a later body overwrite an earlier one, for bodies built in the scratch and bodies too large for it', () => {
    const prefix = inferResponsePrefix('m', '1');
    const bodies: Array<[Buffer, string]> = [];
    const large = Math.ceil(SCRATCH_BYTES / 2 / (2 * 10));
    for (let i = 0; i < 600; i++) {
      const rows = i % 97 === 0 ? large : 1;
      const body = serializeInferResponse(prefix, `r${i}`, rows, 2, ['forecast'], outputs(Array.from({ length: rows * 2 }, (_, j) => i + j)));
      bodies.push([body, body.toString('latin1')]);
    }
    for (const [body, text] of bodies) expect(body.toString('latin1')).toBe(text);
    expect(JSON.parse(bodies[5][1]).id).toBe('r5');
  });

  it('writes each response with its own shape when shapes alternate', () => {
    const prefix = inferResponsePrefix('m', '1');
    const shapes: Array<[number, number, Array<'forecast' | 'lower' | 'upper'>]> = [
      [1, 2, ['forecast', 'lower', 'upper']],
      [2, 1, ['lower']],
      [1, 2, ['forecast', 'lower', 'upper']],
      [1, 2, ['upper', 'lower']],
    ];
    for (const [rows, horizon, names] of shapes) {
      const values = Array.from({ length: rows * horizon }, (_, j) => j + 0.5);
      const parsed = JSON.parse(serializeInferResponse(prefix, 'a', rows, horizon, names, outputs(values)).toString('utf8'));
      expect(parsed.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape])).toEqual(names.map((n) => [n, [rows, horizon]]));
      expect(parsed.outputs[0].data).toHaveLength(rows * horizon);
    }
  });

  it('refuses non-finite model outputs with a coded 500', () => {
    expect(() => serializeInferResponse(inferResponsePrefix('m', '1'), 'x', 1, 2, ['forecast'], outputs([1, Number.NaN]))).toThrow(
      expect.objectContaining({ code: 'FST_FLUXORA_PREDICTION_FAILED', statusCode: 500 }),
    );
  });
});
