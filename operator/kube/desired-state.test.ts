import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { applyReason, carryTransitionTimes, firstDifference, staleOwnedFields } from './desired-state.ts';

const MANAGER = 'fluxora-operator';

function live(extra: Partial<KubernetesObject> & Record<string, unknown>, fieldsV1: unknown, subresource?: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    ...extra,
    metadata: {
      name: 'cm',
      namespace: 'ns',
      resourceVersion: '7',
      ...(extra.metadata ?? {}),
      managedFields: [
        { manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:other': {} } } },
        { manager: MANAGER, operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1, ...(subresource ? { subresource } : {}) },
      ],
    },
  } as KubernetesObject;
}

describe('firstDifference', () => {
  it('ignores fields only the live object has and reports the first desired one that differs', () => {
    expect(firstDifference({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x', d: 2 }, e: 3 })).toBeUndefined();
    expect(firstDifference({ a: 1, b: { c: 'y' } }, { a: 1, b: { c: 'x' } })).toBe('b.c');
    expect(firstDifference({ a: { b: 1 } }, { a: 'x' })).toBe('a');
  });

  it('compares keyed lists as maps and other lists by position', () => {
    const liveContainers = [
      { name: 'sidecar', image: 'mesh' },
      { name: 'main', image: 'app:1', terminationMessagePath: '/dev/termination-log' },
    ];
    expect(firstDifference([{ name: 'main', image: 'app:1' }], liveContainers)).toBeUndefined();
    expect(firstDifference([{ name: 'main', image: 'app:2' }], liveContainers)).toBe('[name=main].image');
    expect(firstDifference(['a', 'b'], ['a', 'b'])).toBeUndefined();
    expect(firstDifference(['a'], ['a', 'b'])).toBe('');
    expect(firstDifference({ args: ['x'] }, { args: ['y'] })).toBe('args[0]');
  });
});

describe('staleOwnedFields', () => {
  it('finds owned fields, map-list entries and set values that desired dropped', () => {
    const fields = {
      'f:metadata': { 'f:labels': { 'f:app': {}, 'f:old': {} } },
      'f:data': { 'f:a': {} },
      'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {} }, 'k:{"type":"Gone"}': {} } },
      'f:finalizers': { 'v:"fluxora.io/cleanup"': {} },
    };
    const desired = {
      metadata: { name: 'x', labels: { app: 'a' } },
      data: { a: '1' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
      finalizers: [],
    };
    expect(staleOwnedFields(fields, desired)).toEqual([
      'metadata.labels.old',
      'status.conditions[{"type":"Gone"}]',
      'finalizers["fluxora.io/cleanup"]',
    ]);
  });
});

describe('applyReason', () => {
  const desired: KubernetesObject & { data: Record<string, string> } = {
    apiVersion: 'v1',
    kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns', labels: { app: 'x' } },
    data: { a: '1' },
  };
  const owned = { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:data': { 'f:a': {} } };

  it('is undefined when the live object already has every desired field (no write)', () => {
    const l = live({ metadata: { labels: { app: 'x' } }, data: { a: '1', other: 'kubectl' } } as never, owned);
    expect(applyReason(desired, l, { fieldManager: MANAGER })).toBeUndefined();
  });

  it('asks for a write when absent, never applied, different, or dropping an owned field', () => {
    expect(applyReason(desired, undefined, { fieldManager: MANAGER })).toBe('absent');
    const l = live({ metadata: { labels: { app: 'x' } }, data: { a: '1' } } as never, owned);
    expect(applyReason(desired, l, { fieldManager: 'someone-else' })).toBe('not applied by someone-else yet');
    expect(applyReason({ ...desired, data: { a: '2' } } as KubernetesObject, l, { fieldManager: MANAGER })).toBe('differs at data.a');
    const withB = live({ metadata: { labels: { app: 'x' } }, data: { a: '1', b: '2' } } as never, {
      ...owned,
      'f:data': { 'f:a': {}, 'f:b': {} },
    });
    expect(applyReason(desired, withB, { fieldManager: MANAGER })).toBe('drops data.b');
  });

  it('compares only status for the status subresource, against the status entry', () => {
    const cr = {
      apiVersion: 'fluxora.io/v1alpha1',
      kind: 'TrainingJob',
      metadata: { name: 'cm', namespace: 'ns' },
      spec: { ignored: true },
      status: { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded' }] },
    };
    const statusOwned = { 'f:status': { 'f:observedGeneration': {}, 'f:conditions': { 'k:{"type":"Ready"}': {} } } };
    const l = live(
      {
        status: {
          observedGeneration: 2,
          conditions: [
            { type: 'Ready', status: 'True', reason: 'Succeeded', lastTransitionTime: 't' },
            { type: 'Other', status: 'True' },
          ],
        },
      } as never,
      statusOwned,
      'status',
    );
    expect(applyReason(cr, l, { fieldManager: MANAGER, subresource: 'status' })).toBeUndefined();
    expect(applyReason(cr, l, { fieldManager: MANAGER })).toBe('not applied by fluxora-operator yet');
    const bumped = { ...cr, status: { ...cr.status, observedGeneration: 3 } };
    expect(applyReason(bumped, l, { fieldManager: MANAGER, subresource: 'status' })).toBe('differs at status.observedGeneration');
  });
});

describe('carryTransitionTimes', () => {
  it('keeps live times of unchanged statuses and stamps new or flipped ones', () => {
    const liveConditions = [
      { type: 'Ready', status: 'False' as const, reason: 'Pending', lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'Stalled', status: 'True' as const, reason: 'X', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ];
    const out = carryTransitionTimes(
      [
        { type: 'Ready', status: 'False', reason: 'Training', lastTransitionTime: '2026-06-01T00:00:00Z' },
        { type: 'Stalled', status: 'False', reason: 'X' },
        { type: 'Reconciling', status: 'True', reason: 'Y' },
      ],
      liveConditions,
      '2026-06-01T00:00:00Z',
    );
    expect(out.map((c) => c.lastTransitionTime)).toEqual(['2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z']);
  });
});
