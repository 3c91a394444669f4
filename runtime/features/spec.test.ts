import { describe, expect, it } from 'vitest';
import type { FeatureSetSpec } from '../../crds/feature-set.ts';
import { FeatureError } from './errors.ts';
import { checkFeatureSpec, type FeatureSpec } from './spec.ts';
import { testTable } from '../../test/support/feature-table.ts';

/** The CRD's spec type must stay assignable to FeatureSpec (checked by tsc). */
function fromCrd(spec: FeatureSetSpec): FeatureSpec {
  return spec;
}

describe('checkFeatureSpec', () => {
  const table = testTable({ time: [0, 1], numeric: { load: [1, 2], temp: [3, 4] } });

  it('accepts a spec of the CRD type that fits the table', () => {
    const crd: FeatureSetSpec = {
      datasetRef: { name: 'grid-load' },
      target: 'load',
      calendar: ['hourOfDay', 'holiday'],
      holidays: { dates: ['2024-12-25'] },
      lags: [{ column: 'load', steps: [24] }],
      rolling: [{ column: 'load', windows: [24], stats: ['mean', 'std'] }],
      covariates: [{ column: 'temp', availability: 'knownInAdvance' }],
    };
    expect(() => checkFeatureSpec(table, fromCrd(crd))).not.toThrow();
  });

  it.each([
    [{ target: 'temp', covariates: [{ column: 'wind', availability: 'observed' }] }, /covariates\[0\].column: "wind" is not a numeric column/],
    [{ target: 'load', covariates: [{ column: 'temp', availability: 'knownInAdvance' }, { column: 'load', availability: 'observed' }] }, /covariates\[1\].column: the target "load" cannot be a covariate/],
    [{ target: 'load', lags: [{ column: 'load', steps: [] }] }, /lags\[0\].steps: at least one lag is needed/],
    [{ target: 'load', rolling: [{ column: 'load', windows: [], stats: ['mean'] }] }, /rolling\[0\].windows: at least one window/],
    [{ target: 'load', rolling: [{ column: 'load', windows: [3], stats: [] }] }, /rolling\[0\].stats: at least one statistic/],
    [{ target: 'load', rolling: [{ column: 'load', windows: [3], stats: ['median'] }] }, /unknown statistic "median"/],
    [{ target: 'load', rolling: [{ column: 'load', windows: [0], stats: ['max'] }] }, /windows\[0\]: 0 must be an integer of at least 1/],
  ])('rejects %j', (spec, message) => {
    expect(() => checkFeatureSpec(table, spec as FeatureSpec)).toThrow(FeatureError);
    expect(() => checkFeatureSpec(table, spec as FeatureSpec)).toThrow(message);
  });
});
