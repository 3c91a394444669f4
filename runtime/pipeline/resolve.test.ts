import { describe, expect, it } from 'vitest';
import type { Condition } from '../../crds/common.ts';
import type { Lookup, Resource } from './resources.ts';
import { isWaiting, resolveDriftInputs, resolveModelSelector, resolveTrainingInputs } from './resolve.ts';

const ready: Condition[] = [{ type: 'Ready', status: 'True' }];
type R = Resource<Record<string, unknown>>;

function lookupOf(resources: R[]): Lookup {
  const get = (kind: string, ns: string, name: string) => resources.find((r) => r.kind === kind && r.namespace === ns && r.name === name);
  const list = (kind: string, ns: string) => resources.filter((r) => r.kind === kind && r.namespace === ns);
  return { get, list } as unknown as Lookup;
}

const r = (kind: string, name: string, spec: object, status?: object): R => ({ kind, name, namespace: 'ml', spec: spec as Record<string, unknown>, status: status as R['status'] });
const ds = r('Dataset', 'd', {}, { conditions: ready });
const fs = r('FeatureSet', 'f', { datasetRef: { name: 'd' } }, { conditions: ready });
const tj = (name: string, version?: number, alias = 'production') =>
  r('TrainingJob', name, { featureSetRef: { name: 'f' }, registry: { model: 'grid', alias } }, version ? { conditions: ready, model: { name: 'grid', version } } : {});
const md = (model: object) => r('ModelDeployment', 'g', { model }) as never;

describe('reference resolution', () => {
  it('waits with a reason for a missing or unready reference', () => {
    const missing = resolveTrainingInputs(tj('t') as never, lookupOf([]));
    expect(isWaiting(missing) && missing.reason).toBe('FeatureSetNotFound');
    const unready = resolveTrainingInputs(tj('t') as never, lookupOf([{ ...fs, status: {} }, ds]));
    expect(isWaiting(unready) && unready.reason).toBe('FeatureSetNotReady');
    const ok = resolveTrainingInputs(tj('t') as never, lookupOf([fs, ds]));
    expect(isWaiting(ok)).toBe(false);
  });

  it.each([
    ['a pinned version', { name: 'grid', version: 3 }, [], { name: 'grid', version: 3 }],
    ['an alias pinned to the newest TrainingJob that registered it', { name: 'grid', alias: 'production' }, [tj('a', 2), tj('b', 5)], { name: 'grid', version: 5, alias: 'production' }],
    ['an alias still being trained', { name: 'grid', alias: 'production' }, [tj('a')], 'TrainingJobNotReady'],
    ['an alias registered outside the cluster', { name: 'grid', alias: 'production' }, [], { name: 'grid', alias: 'production' }],
    ['a trainingJobRef that registered a version', { trainingJobRef: { name: 'a' } }, [tj('a', 4)], { name: 'grid', version: 4 }],
    ['a trainingJobRef still running', { trainingJobRef: { name: 'a' } }, [tj('a')], 'TrainingJobNotReady'],
    ['a missing trainingJobRef', { trainingJobRef: { name: 'x' } }, [], 'TrainingJobNotFound'],
  ])('resolves %s', (_what, model, tjs, want) => {
    const got = resolveModelSelector(md(model), lookupOf(tjs));
    if (typeof want === 'string') expect(isWaiting(got) && got.reason).toBe(want);
    else expect(got).toEqual(want);
  });

  it('resolves a DriftMonitor through its ModelDeployment', () => {
    const dm = r('DriftMonitor', 'm', { modelDeploymentRef: { name: 'g' } }) as never;
    expect((resolveDriftInputs(dm, lookupOf([])) as { reason: string }).reason).toBe('ModelDeploymentNotFound');
    const got = resolveDriftInputs(dm, lookupOf([r('ModelDeployment', 'g', { model: { name: 'grid', version: 2 } })]));
    expect(isWaiting(got) ? got : got.model).toEqual({ name: 'grid', version: 2 });
  });
});
