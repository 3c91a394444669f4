import { describe, expect, it } from 'vitest';
import { datasetSpec } from '../../../crds/dataset.ts';
import { featureSetSpec } from '../../../crds/feature-set.ts';
import type { Resource } from '../../../runtime/pipeline/resources.ts';
import type { ObservedJob } from '../shared/observed.ts';
import { defaultOperatorOptions as opts } from '../shared/options.ts';
import { materializeJobName, renderMaterializeJob } from './render.ts';
import { materializationStatus } from './status.ts';
import { CONTRACT_VERSION } from '../../../runtime/contract/version.ts';

/** reported is a pod's termination message: a summary with the contract version. */
const reported = (summary: object) => JSON.stringify({ contract: CONTRACT_VERSION, ...summary });

// biome-ignore lint/suspicious/noExplicitAny: tests walk rendered objects freely.
type Any = any;

const res = <S>(kind: string, name: string, spec: S): Resource<S> => ({ kind, name, namespace: 'ml', uid: `uid-${name}`, generation: 1, spec });
const ds = res('Dataset', 'grid', datasetSpec.parse({ source: { csv: { configMapRef: { name: 'grid-data', key: 'grid.csv' } } }, columns: [{ name: 'load' }] }));
const fs = res(
  'FeatureSet',
  'grid',
  featureSetSpec.parse({ datasetRef: { name: 'grid' }, target: 'load', materialize: { enabled: true, resources: { requests: { cpu: '500m' } } } }),
);
const job = (over: Partial<ObservedJob>): ObservedJob => ({ name: 'grid-materialize-abc', complete: false, failed: false, active: 1, succeeded: 0, running: [], terminated: [], ...over });
const resolved = { health: { state: 'Ready' as const, reason: 'Resolved', message: '3 features from Dataset grid' }, fields: { version: 'abcdef0123456789', featureCount: 3 } };

describe('FeatureSet materialization', () => {
  it('renders one owned, restricted Job per FeatureSet version with the Dataset sources', () => {
    const j = renderMaterializeJob(fs, ds, 'abcdef0123456789', opts) as Any;
    expect(j.metadata.name).toBe('grid-materialize-abcdef0123');
    expect(materializeJobName(fs, '9999999999999999')).not.toBe(j.metadata.name);
    expect(j.metadata.ownerReferences[0]).toMatchObject({ kind: 'FeatureSet', name: 'grid', controller: true });
    const c = j.spec.template.spec.containers[0];
    expect(c.args).toEqual(['materialize']);
    expect(c.resources).toEqual({ requests: { cpu: '500m' } });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(c.volumeMounts).toContainEqual({ name: 'dataset-configmap', mountPath: '/etc/fluxora/configmaps/grid-data', readOnly: true });
    expect(JSON.parse(c.env.find((e: Any) => e.name === 'FLUXORA_CONFIG').value)).toMatchObject({ role: 'materialize', featureSet: { name: 'grid' }, dataset: { name: 'grid' } });
    expect(j.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 1800 });
  });

  const previous = { version: 'old', rows: 10, table: 'feature_rows' };
  const summary = { version: 'abcdef0123456789', datasetVersion: 'd', rows: 13104, features: 3, table: 'feature_rows' };
  it.each([
    ['no Job yet', undefined, 'Progressing', 'Materializing', previous],
    ['a running Job', job({}), 'Progressing', 'Materializing', previous],
    ['a failed Job', job({ failed: true, active: 0, terminated: [{ pod: 'p', exitCode: 1, message: '{"error":"connection refused"}' }] }), 'Stalled', 'MaterializationFailed', previous],
    ['a Job without a summary', job({ complete: true, active: 0, terminated: [{ pod: 'p', exitCode: 0 }] }), 'Stalled', 'NoSummary', previous],
    [
      'a succeeded Job',
      job({ complete: true, active: 0, completionTime: '2026-11-26T10:00:00Z', terminated: [{ pod: 'p', exitCode: 0, message: reported(summary) }] }),
      'Ready',
      'Materialized',
      { version: 'abcdef0123456789', rows: 13104, table: 'feature_rows', jobName: 'grid-materialize-abc', completionTime: '2026-11-26T10:00:00Z' },
    ],
  ])('%s', (_, observed, state, reason, materialized) => {
    const { health, fields } = materializationStatus(resolved, 'abcdef0123456789', observed, previous);
    expect(health).toMatchObject({ state, reason });
    expect(fields).toMatchObject({ version: 'abcdef0123456789', featureCount: 3, materialized });
    if (reason === 'MaterializationFailed') expect(health.message).toBe('connection refused');
    if (state === 'Ready') expect(health.message).toBe('3 features from Dataset grid; 13104 rows of version abcdef0123456789 in feature_rows');
  });
});
