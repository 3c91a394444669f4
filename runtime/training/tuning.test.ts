import { describe, expect, it } from 'vitest';
import { type CompletedTrial, randomParams, type SearchSpace, tpeParams } from './tuning.ts';

const space: SearchSpace = {
  learningRate: { min: 1e-4, max: 1e-1, scale: 'log' },
  hiddenUnits: { values: [[16], [64, 32]] },
  batchSize: { values: [64, 128, 256], scale: 'linear' },
};

describe('tuning', () => {
  it('draws random parameters inside the space, reproducibly per (seed, trial)', () => {
    for (let t = 0; t < 50; t++) {
      const p = randomParams(space, 42, t);
      expect(p.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(p.learningRate).toBeLessThanOrEqual(1e-1);
      expect([[16], [64, 32]]).toContainEqual(p.hiddenUnits);
      expect(randomParams(space, 42, t)).toEqual(p);
    }
    expect(randomParams(space, 42, 1)).not.toEqual(randomParams(space, 42, 2));
  });

  it('spreads log-scale draws across decades', () => {
    const decades = new Set(Array.from({ length: 60 }, (_, t) => Math.floor(Math.log10(randomParams(space, 7, t).learningRate as number))));
    expect(decades.size).toBeGreaterThanOrEqual(3);
  });

  it('TPE concentrates on the good region of a 1-D objective better than random search', () => {
    const objective = (lr: number) => (Math.log10(lr) + 2.5) ** 2; // best at 10^-2.5
    const run = (pick: (t: number, h: CompletedTrial[]) => number) => {
      const history: CompletedTrial[] = [];
      for (let t = 0; t < 30; t++) {
        const lr = pick(t, history);
        history.push({ params: { learningRate: lr }, value: objective(lr) });
      }
      return Math.min(...history.slice(10).map((h) => h.value));
    };
    const s: SearchSpace = { learningRate: { min: 1e-5, max: 1, scale: 'log' } };
    let tpeWins = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const tpe = run((t, h) => tpeParams(s, seed, t, h).learningRate as number);
      const rnd = run((t) => randomParams(s, seed, t).learningRate as number);
      if (tpe <= rnd) tpeWins++;
    }
    expect(tpeWins).toBeGreaterThanOrEqual(7);
  });
});
