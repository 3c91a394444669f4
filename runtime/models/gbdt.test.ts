import { describe, expect, it } from 'vitest';
import { compileGbdt, fitGbdt, GBDT_DEFAULTS, type GbdtData } from './gbdt.ts';
import { seededGaussian, seededRandom } from './random.ts';

/** A step function of x0 times a sign of x1, plus noise; x2 is pure noise. */
function data(rows: number, seed: number): GbdtData & { clean: Float32Array } {
  const random = seededRandom(seed);
  const gauss = seededGaussian(random);
  const X = new Float32Array(rows * 3);
  const y = new Float32Array(rows);
  const clean = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const x0 = random() * 10;
    const x1 = random() * 2 - 1;
    X.set([x0, x1, gauss()], r * 3);
    clean[r] = (x0 > 5 ? 10 : x0 > 2 ? 4 : 0) * (x1 > 0 ? 1 : -1);
    y[r] = clean[r] + 0.5 * gauss();
  }
  return { X, y, rows, clean };
}

const params = { ...GBDT_DEFAULTS, rounds: 150, numLeaves: 15, minLeafSamples: 10, seed: 3 };

describe('fitGbdt', () => {
  it('learns a non-linear interaction far below the spread of the target, on rows it never saw', () => {
    const train = data(4000, 1);
    const test = data(2000, 2);
    const { model } = fitGbdt(train, 3, params);
    const predict = compileGbdt(model);
    let error = 0;
    let spread = 0;
    for (let r = 0; r < test.rows; r++) {
      error += Math.abs(predict(test.X, r * 3) - test.clean[r]);
      spread += Math.abs(test.clean[r]);
    }
    expect(error / test.rows).toBeLessThan(0.1 * (spread / test.rows));
  });

  it('is deterministic for a seed and differs for another', () => {
    const train = data(1000, 4);
    const a = fitGbdt(train, 3, params).model;
    const b = fitGbdt(train, 3, params).model;
    const c = fitGbdt(train, 3, { ...params, seed: 4 }).model;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('stops early on validation rows and keeps the best round only', () => {
    const train = data(600, 5);
    const validation = data(300, 6);
    const fit = fitGbdt(train, 3, { ...params, rounds: 2000, learningRate: 0.3, earlyStoppingRounds: 10 }, validation);
    expect(fit.rounds).toBeLessThan(2000);
    expect(fit.model.roots).toHaveLength(fit.rounds);
    const best = Math.min(...fit.validationLoss);
    expect(fit.validationLoss[fit.rounds - 1]).toBe(best);
    // The kept trees reproduce the best validation loss.
    const predict = compileGbdt(fit.model);
    let loss = 0;
    for (let r = 0; r < validation.rows; r++) loss += (predict(validation.X, r * 3) - validation.y[r]) ** 2;
    expect(loss / validation.rows).toBeCloseTo(best, 3);
  });

  it('survives a JSON round trip and rejects malformed nodes and shapes', () => {
    const { model } = fitGbdt(data(300, 7), 3, { ...params, rounds: 5 });
    const copy = JSON.parse(JSON.stringify(model));
    const X = data(10, 8).X;
    expect(compileGbdt(copy)(X, 0)).toBe(compileGbdt(model)(X, 0));
    expect(() => compileGbdt({ ...copy, left: copy.left.slice(1) })).toThrow(/left has/);
    expect(() => compileGbdt({ ...copy, left: copy.left.map(() => 0) })).toThrow(/node 0 is malformed/);
    expect(() => fitGbdt({ X: new Float32Array(5), y: new Float32Array(2), rows: 2 }, 3, params)).toThrow(/not 2 x 3/);
  });
});
