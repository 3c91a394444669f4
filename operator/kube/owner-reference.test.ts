import { describe, expect, it } from 'vitest';
import { ownerReference } from './owner-reference.ts';

describe('ownerReference', () => {
  it('makes the owner the controlling, deletion-blocking owner', () => {
    const owner = { apiVersion: 'fluxora.io/v1alpha1', kind: 'TrainingJob', metadata: { name: 'tj', namespace: 'ns', uid: 'u-1' } };
    expect(ownerReference(owner)).toEqual({
      apiVersion: 'fluxora.io/v1alpha1',
      kind: 'TrainingJob',
      name: 'tj',
      uid: 'u-1',
      controller: true,
      blockOwnerDeletion: true,
    });
  });

  it('refuses an owner that was never read from the API server', () => {
    expect(() => ownerReference({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toThrow(/uid/);
  });
});
