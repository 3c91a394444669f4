import { Gauge, type Registry } from 'prom-client';

/** StatusMetrics export what the operator writes to status, for dashboards and alerts. */
export interface StatusMetrics {
  /** fluxora_resource_condition{kind,namespace,name,condition} is 1 when the condition is True. */
  condition: Gauge<'kind' | 'namespace' | 'name' | 'condition'>;
  /** fluxora_drift_share{namespace,name} is the share of drifted features in a DriftMonitor's last check. */
  driftShare: Gauge<'namespace' | 'name'>;
  /** fluxora_training_mae{namespace,name,kind="model"|"baseline"} is a TrainingJob's test MAE and its baseline's. */
  trainingMae: Gauge<'namespace' | 'name' | 'of'>;
}

/** statusMetrics registers the status gauges on a registry. */
export function statusMetrics(registry: Registry): StatusMetrics {
  const registers = [registry];
  return {
    condition: new Gauge({ name: 'fluxora_resource_condition', help: 'Status conditions of Fluxora resources (1 = True).', labelNames: ['kind', 'namespace', 'name', 'condition'], registers }),
    driftShare: new Gauge({ name: 'fluxora_drift_share', help: 'Share of drifted features in the last drift check.', labelNames: ['namespace', 'name'], registers }),
    trainingMae: new Gauge({ name: 'fluxora_training_mae', help: 'Test MAE of a TrainingJob (of="model") and of its seasonal-naive baseline (of="baseline").', labelNames: ['namespace', 'name', 'of'], registers }),
  };
}

/** recordStatus updates the gauges from a status just written. */
export function recordStatus(m: StatusMetrics, kind: string, namespace: string, name: string, status: Record<string, unknown>): void {
  for (const c of (status.conditions as { type: string; status: string }[] | undefined) ?? []) {
    m.condition.set({ kind, namespace, name, condition: c.type }, c.status === 'True' ? 1 : 0);
  }
  if (kind === 'DriftMonitor' && typeof status.driftedShare === 'number') m.driftShare.set({ namespace, name }, status.driftedShare);
  const metrics = status.metrics as { mae?: number } | undefined;
  const baseline = status.baseline as { mae?: number } | undefined;
  if (kind === 'TrainingJob' && typeof metrics?.mae === 'number') m.trainingMae.set({ namespace, name, of: 'model' }, metrics.mae);
  if (kind === 'TrainingJob' && typeof baseline?.mae === 'number') m.trainingMae.set({ namespace, name, of: 'baseline' }, baseline.mae);
}
