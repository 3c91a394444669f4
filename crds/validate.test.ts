import { describe, expect, it } from 'vitest';
import { formatProblem, parseManifests, validateManifest } from './validate.ts';

function problemsOf(yamlText: string): string[] {
  const { manifests, problems } = parseManifests(yamlText, 'x.yaml');
  return [...problems, ...manifests.flatMap((m) => validateManifest(m).problems)].map(formatProblem);
}

const tj = (spec: string) => `apiVersion: fluxora.io/v1alpha1
kind: TrainingJob
metadata: {name: t}
spec:
  featureSetRef: {name: fs}
  registry: {model: m}
${spec}`;

describe('validateManifest', () => {
  it.each([
    ['an unknown model type and negative epochs', tj('  model: {algorithm: xgboostt, epochs: -1}'), ['spec.model.algorithm', 'spec.model.epochs']],
    ['splits that leave nothing to train on', tj('  model: {algorithm: mlp}\n  split: {validation: 0.95}'), ['spec.split']],
    ['a typo in a field name', tj('  model: {algorithm: mlp, epochz: 3}'), ['spec.model: Unrecognized key: "epochz"']],
    ['a tree field on a network', tj('  model: {algorithm: mlp, numLeaves: 8}'), ['spec.model: rounds, numLeaves, minLeafSamples, featureFraction and sampleFraction apply to gbdt models only']],
    ['an unknown candidate algorithm', tj('  model: {algorithm: mlp}\n  candidates: [{algorithm: lstm}]'), ['spec.candidates[0].algorithm']],
    ['a backtest with no folds', tj('  model: {algorithm: gbdt}\n  backtest: {folds: 0}'), ['spec.backtest.folds']],
    ['parallelism above trials', tj('  model: {algorithm: mlp}\n  tuning: {trials: 2, parallelism: 4, searchSpace: {}}'), ['spec.tuning.parallelism']],
    ['a log range starting at 0', tj('  model: {algorithm: mlp}\n  tuning: {trials: 2, searchSpace: {learningRate: {min: 0, max: 1, scale: log}}}'), ['spec.tuning.searchSpace.learningRate.min']],
    [
      'two data sources',
      `apiVersion: fluxora.io/v1alpha1
kind: Dataset
metadata: {name: d}
spec:
  source: {csv: {path: a.csv}, postgres: {secretRef: {name: db}, query: select 1}}
  columns: [{name: load}]`,
      ['spec.source: exactly one data source'],
    ],
    [
      'minReplicas above maxReplicas',
      `apiVersion: fluxora.io/v1alpha1
kind: ModelDeployment
metadata: {name: m}
spec:
  model: {name: grid}
  autoscaling: {minReplicas: 5, maxReplicas: 2}`,
      ['spec.autoscaling.minReplicas: minReplicas must not exceed maxReplicas'],
    ],
    [
      'a zero lag',
      `apiVersion: fluxora.io/v1alpha1
kind: FeatureSet
metadata: {name: f}
spec:
  datasetRef: {name: d}
  target: load
  lags: [{column: load, steps: [0]}]`,
      ['spec.lags[0].steps[0]'],
    ],
    ['an unknown kind', 'apiVersion: fluxora.io/v1alpha1\nkind: Modle\nmetadata: {name: x}\nspec: {}', ['Modle/x: kind: unknown kind']],
    ['malformed YAML', 'kind: [unclosed', ['malformed YAML']],
    ['a missing spec', 'apiVersion: fluxora.io/v1alpha1\nkind: Dataset\nmetadata: {name: x}', ['spec: required field is missing']],
  ])('reports %s with the field path', (_what, text, expected) => {
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThan(0);
    for (const fragment of expected) expect(problems.join('\n')).toContain(fragment);
  });

  it('accepts a valid TrainingJob and applies defaults', () => {
    const { manifests } = parseManifests(tj('  model: {algorithm: mlp}'), 'x.yaml');
    const result = validateManifest(manifests[0]);
    expect(result.problems).toEqual([]);
    const spec = result.value?.spec as { horizon: number; split: { validation: number }; backtest: { folds: number; fraction: number }; ensemble: string };
    expect(spec.horizon).toBe(24);
    expect(spec.split.validation).toBe(0.15);
    expect(spec.backtest).toEqual({ folds: 5, fraction: 0.15 });
    expect(spec.ensemble).toBe('auto');
  });

  it('passes over objects of other API groups', () => {
    expect(problemsOf('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {api-key: x}')).toEqual([]);
  });
});
