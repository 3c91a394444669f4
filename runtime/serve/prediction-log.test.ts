import { describe, expect, it } from 'vitest';
import { createPredictionRecorder, type PredictionRow } from './prediction-log.ts';

const silent = { warn() {} };

describe('createPredictionRecorder', () => {
  it('hands the sink one copied row per sample and reads its drops from counters()', () => {
    const rows: PredictionRow[] = [];
    let dropped = 2;
    const recorder = createPredictionRecorder({ add: (row) => rows.push(row), counters: () => ({ dropped }) }, silent);
    const X = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const point = Float32Array.from([10, 11, 20, 21]);
    recorder.record('energy', 3, ['a', 'b', 'c'], X, 2, point);
    expect(rows).toEqual([
      { model: 'energy', version: 3, features: Float32Array.from([1, 2, 3]), names: ['a', 'b', 'c'], outputs: Float32Array.from([10, 11]) },
      { model: 'energy', version: 3, features: Float32Array.from([4, 5, 6]), names: ['a', 'b', 'c'], outputs: Float32Array.from([20, 21]) },
    ]);
    X.fill(0);
    expect(rows[0].features[0]).toBe(1);
    expect(recorder.dropped()).toBe(2);
    dropped = 9;
    expect(recorder.dropped()).toBe(9);
  });

  it('counts rows whose add threw as dropped, and warns without failing', () => {
    const warnings: string[] = [];
    const recorder = createPredictionRecorder(
      {
        add() {
          throw new Error('closed');
        },
      },
      { warn: (_fields, message) => warnings.push(message) },
    );
    recorder.record('energy', 3, ['a'], Float32Array.from([1, 2]), 2, Float32Array.from([1, 2]));
    expect(recorder.dropped()).toBe(2);
    expect(warnings).toEqual(['Prediction log add failed']);
  });

  it('without a sink, records nothing and reports no drop count', () => {
    const recorder = createPredictionRecorder(undefined, silent);
    recorder.record('energy', 3, ['a'], Float32Array.from([1]), 1, Float32Array.from([1]));
    expect(recorder.dropped()).toBeUndefined();
  });
});
