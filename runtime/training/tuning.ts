import type { ModelSpec, TrainingJobSpec } from '../../crds/training-job.ts';
import { seededRandom } from '../models/random.ts';

/** SearchSpace is a TrainingJob's tuning search space. */
export type SearchSpace = NonNullable<TrainingJobSpec['tuning']>['searchSpace'];
/** TrialParams are the hyperparameters one trial overrides in the model spec. */
export type TrialParams = Partial<
  Pick<
    ModelSpec,
    'learningRate' | 'batchSize' | 'dropout' | 'l2' | 'epochs' | 'hiddenUnits' | 'rounds' | 'numLeaves' | 'minLeafSamples' | 'featureFraction' | 'sampleFraction'
  >
>;
/** CompletedTrial is a finished trial's parameters and objective value (lower is better after orientation). */
export interface CompletedTrial {
  params: TrialParams;
  value: number;
}

type Dimension =
  | { key: keyof TrialParams; kind: 'range'; min: number; max: number; log: boolean; integer: boolean }
  | { key: keyof TrialParams; kind: 'choice'; values: unknown[] };

const INTEGER_KEYS = new Set(['batchSize', 'epochs', 'rounds', 'numLeaves', 'minLeafSamples']);

/** dimensions lists a search space's dimensions in a stable order. */
export function dimensions(space: SearchSpace): Dimension[] {
  const out: Dimension[] = [];
  for (const key of Object.keys(space).sort() as (keyof SearchSpace)[]) {
    const dim = space[key];
    if (!dim) continue;
    if ('values' in dim && dim.values) out.push({ key, kind: 'choice', values: dim.values });
    else if ('min' in dim && dim.min !== undefined && dim.max !== undefined) {
      out.push({ key, kind: 'range', min: dim.min, max: dim.max, log: dim.scale === 'log', integer: INTEGER_KEYS.has(key) });
    }
  }
  return out;
}

function toUnit(d: Extract<Dimension, { kind: 'range' }>, v: number): number {
  return d.log ? (Math.log(v) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min)) : (v - d.min) / (d.max - d.min);
}

function fromUnit(d: Extract<Dimension, { kind: 'range' }>, u: number): number {
  const x = Math.min(1, Math.max(0, u));
  const v = d.log ? Math.exp(Math.log(d.min) + x * (Math.log(d.max) - Math.log(d.min))) : d.min + x * (d.max - d.min);
  return d.integer ? Math.round(v) : v;
}

/** randomParams draws a trial's parameters uniformly (on each range's scale), reproducibly from (seed, trial). */
export function randomParams(space: SearchSpace, seed: number, trial: number): TrialParams {
  const rand = seededRandom(seed * 7919 + trial * 104729 + 1);
  const params: Record<string, unknown> = {};
  for (const d of dimensions(space)) {
    params[d.key] = d.kind === 'choice' ? d.values[Math.floor(rand() * d.values.length)] : fromUnit(d, rand());
  }
  return params as TrialParams;
}

function gaussianLogDensity(x: number, centres: number[], bandwidth: number): number {
  // Parzen estimator on [0, 1] with a uniform prior component, as in Bergstra et al. (2011).
  let sum = 1; // the prior
  for (const c of centres) sum += Math.exp(-0.5 * ((x - c) / bandwidth) ** 2) / (bandwidth * Math.sqrt(2 * Math.PI));
  return Math.log(sum / (centres.length + 1));
}

/**
 * tpeParams proposes a trial's parameters with the tree-structured Parzen
 * estimator: the completed trials are split at the gamma quantile of their
 * objective into good and bad; candidates drawn around good trials are scored by
 * l(x)/g(x) per dimension and the best is taken. With fewer completed trials than
 * `startup`, it falls back to random search. Deterministic for (seed, trial, history).
 */
export function tpeParams(space: SearchSpace, seed: number, trial: number, history: CompletedTrial[], startup = 3, gamma = 0.25, candidates = 24): TrialParams {
  if (history.length < startup) return randomParams(space, seed, trial);
  const rand = seededRandom(seed * 31337 + trial * 7 + 3);
  const sorted = [...history].sort((a, b) => a.value - b.value);
  const nGood = Math.max(1, Math.ceil(gamma * sorted.length));
  const good = sorted.slice(0, nGood);
  const bad = sorted.slice(nGood);
  const params: Record<string, unknown> = {};
  for (const d of dimensions(space)) {
    if (d.kind === 'choice') {
      const key = (v: unknown) => JSON.stringify(v);
      const weight = (trials: CompletedTrial[], v: unknown) => (trials.filter((t) => key(t.params[d.key]) === key(v)).length + 1) / (trials.length + d.values.length);
      let best = d.values[0];
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const v of d.values) {
        const score = Math.log(weight(good, v)) - Math.log(weight(bad, v)) + rand() * 1e-9;
        if (score > bestScore) [best, bestScore] = [v, score];
      }
      params[d.key] = best;
      continue;
    }
    const goodX = good.map((t) => toUnit(d, Number(t.params[d.key] ?? d.min)));
    const badX = bad.map((t) => toUnit(d, Number(t.params[d.key] ?? d.min)));
    const bandwidth = Math.max(0.05, 1 / Math.sqrt(history.length + 1));
    let bestU = rand();
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < candidates; c++) {
      const centre = goodX[Math.floor(rand() * goodX.length)];
      const u = Math.min(1, Math.max(0, centre + bandwidth * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())));
      const score = gaussianLogDensity(u, goodX, bandwidth) - gaussianLogDensity(u, badX, bandwidth);
      if (score > bestScore) [bestU, bestScore] = [u, score];
    }
    params[d.key] = fromUnit(d, bestU);
  }
  return params as TrialParams;
}

/** proposeParams picks trial parameters with the TrainingJob's algorithm. */
export function proposeParams(tuning: NonNullable<TrainingJobSpec['tuning']>, seed: number, trial: number, history: CompletedTrial[]): TrialParams {
  return tuning.algorithm === 'tpe' ? tpeParams(tuning.searchSpace, seed, trial, history) : randomParams(tuning.searchSpace, seed, trial);
}
