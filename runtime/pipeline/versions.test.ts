import { describe, expect, it } from 'vitest';
import { featureSetVersion } from './versions.ts';

describe('featureSetVersion', () => {
  const spec = { datasetRef: { name: 'grid' }, target: 'load', lags: [{ column: 'load', steps: [24] }] };
  it('changes with the dataset version and the feature definition, not with materialization', () => {
    const v = featureSetVersion('d1', spec);
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(featureSetVersion('d2', spec)).not.toBe(v);
    expect(featureSetVersion('d1', { ...spec, lags: [{ column: 'load', steps: [48] }] })).not.toBe(v);
    expect(featureSetVersion('d1', { ...spec, materialize: { enabled: true } })).toBe(v);
  });
});
