import { API_VERSION } from '../../crds/common.ts';
import type { Resource } from '../pipeline/resources.ts';
import type { RunState } from './state.ts';

function readyCondition(r: Resource<unknown>) {
  return r.status?.conditions?.find((c) => c.type === 'Ready');
}

/** statusDetails is a one-line summary of a resource's status (rows, model version and MAE, drift result...), as `fluxora run` and the console show it. */
export function statusDetails(r: { kind: string; status?: object }): string {
  const s = (r.status ?? {}) as Record<string, unknown> & {
    metrics?: { mae?: number; intervalCoverage?: number };
    baseline?: { mae?: number };
    model?: { name?: string; version?: number };
  };
  switch (r.kind) {
    case 'Dataset':
      return s.rows === undefined ? '' : `${s.rows} rows, ${s.rejectedRows ?? 0} rejected, version ${s.version}`;
    case 'FeatureSet':
      return s.featureCount === undefined ? '' : `${s.featureCount} features, version ${s.version}`;
    case 'TrainingJob':
      return s.model?.version === undefined
        ? ''
        : `${s.model.name} v${s.model.version}, MAE ${s.metrics?.mae} (baseline ${s.baseline?.mae}), coverage ${s.metrics?.intervalCoverage}`;
    case 'ModelDeployment':
      return s.url === undefined ? '' : `${s.model?.name} v${s.model?.version} at ${s.url}`;
    case 'DriftMonitor':
      return s.result === undefined ? '' : `${s.result}, ${s.samples} samples, drifted share ${s.driftedShare}`;
    default:
      return '';
  }
}

/** printStatusTable prints the run's resources like `kubectl get fluxora`, with why anything is not ready. */
export function printStatusTable(state: RunState, out: NodeJS.WritableStream): void {
  const rows = state.resources.map((r) => {
    const c = readyCondition(r);
    return [`${r.kind}/${r.name}`, c?.status ?? 'Unknown', c?.reason ?? '', c?.status === 'True' ? statusDetails(r) : (c?.message ?? '')];
  });
  const header = ['NAME', 'READY', 'REASON', 'DETAILS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('   ');
  out.write(`\n${line(header)}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
}

/** toList renders the run's resources as a Kubernetes List with their final status, as the cluster would show them. */
export function toList(state: RunState): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: state.resources.map((r) => ({
      apiVersion: API_VERSION,
      kind: r.kind,
      metadata: { name: r.name, namespace: r.namespace, generation: r.generation },
      spec: r.spec,
      status: r.status,
    })),
  };
}
