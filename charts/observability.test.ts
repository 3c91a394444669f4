import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const read = (p: string) => readFileSync(new URL(p, import.meta.url), 'utf8');
const exported = [
  '../operator/kube/metrics.ts',
  '../operator/controllers/shared/status-metrics.ts',
  '../runtime/serve/metrics.ts',
]
  .map(read)
  .join('\n');

function metricNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\b((?:fluxora|controller_runtime|workqueue)_[a-z_]+)/g)) names.add(m[1].replace(/_(bucket|count|sum)$/, ''));
  return [...names].sort();
}

describe('dashboards and alerts', () => {
  const dashboard = read('./fluxora/dashboards/fluxora-grafana.json');
  const alerts = read('./fluxora/dashboards/alerts.yaml');

  it('query only metrics the code exports', () => {
    const used = [...metricNames(dashboard), ...metricNames(alerts)];
    expect(used.length).toBeGreaterThan(8);
    for (const name of used) expect(exported, `${name} is queried but not exported`).toContain(`'${name}'`);
  });

  it('are well-formed: every panel has a query, every alert an expression and a summary', () => {
    const d = JSON.parse(dashboard) as { panels: { type: string; targets?: { expr: string }[] }[] };
    for (const p of d.panels.filter((p) => p.type !== 'row')) expect(p.targets?.[0]?.expr).toBeTruthy();
    const rules = (yaml.load(alerts) as { groups: { rules: { alert: string; expr: string; annotations: { summary: string } }[] }[] }).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['FluxoraReconcileErrors', 'FluxoraResourceStalled', 'FluxoraDataDrift', 'FluxoraInferenceErrors']));
    for (const r of rules) expect(r.expr && r.annotations.summary).toBeTruthy();
  });
});
