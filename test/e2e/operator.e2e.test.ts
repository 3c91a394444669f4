import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../runtime/data/load.ts';
import { requiredHistory } from '../../runtime/features/forecast-frame.ts';
import { forecastBody, timeSeriesBody } from '../../runtime/run/replay.ts';
import { forecastResponse, modelList, tsErrorResponse } from '../../runtime/serve/timeseries-types.ts';
import { anchorFor } from '../../runtime/training/fit.ts';
import { freePort } from '../../runtime/store/free-port.ts';
import { type Cluster, OPERATOR_USER, type OperatorProcess, ROOT, startCluster, waitFor } from './harness/cluster.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON from kubectl.
type Any = any;

async function json(c: Cluster, args: string[]): Promise<Any> {
  const r = await c.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function condition(obj: Any, type: string): Any {
  return obj?.status?.conditions?.find((c: Any) => c.type === type);
}

async function ready(c: Cluster, ns: string, resource: string, timeoutMs: number, observe?: (obj: Any) => void): Promise<Any> {
  return waitFor(
    `${resource} in ${ns} to be Ready`,
    async () => {
      const obj = await json(c, ['get', resource, '-n', ns]);
      observe?.(obj);
      const stalled = condition(obj, 'Stalled');
      if (stalled?.status === 'True') throw new Error(`${resource} stalled: ${stalled.reason}: ${stalled.message}`);
      return condition(obj, 'Ready')?.status === 'True' && obj.status.observedGeneration === obj.metadata.generation ? obj : undefined;
    },
    timeoutMs,
    2000,
  );
}

const small = (ns: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: tiny, namespace: ${ns}}
data:
  tiny.csv: |
${Array.from({ length: 400 }, (_, i) => `    ${new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString().replace('.000Z', '+00:00')},${(1000 + 100 * Math.sin((2 * Math.PI * i) / 24)).toFixed(1)}`)
  .join('\n')
  .replace(/^/, '    timestamp,load\n')}
---
apiVersion: fluxora.io/v1alpha1
kind: Dataset
metadata: {name: tiny, namespace: ${ns}}
spec:
  source: {csv: {configMapRef: {name: tiny, key: tiny.csv}}}
  columns: [{name: load}]
  validation: {minRows: 100}
`;

const featureSet = (ns: string) => `apiVersion: fluxora.io/v1alpha1
kind: FeatureSet
metadata: {name: tiny, namespace: ${ns}}
spec:
  datasetRef: {name: tiny}
  target: load
  calendar: [hourOfDay]
  lags: [{column: load, steps: [24]}]
`;

describe('the operator on a real control plane', () => {
  let c: Cluster;
  let operator: OperatorProcess;
  let consolePort: number;

  beforeAll(async () => {
    c = await startCluster();
    consolePort = await freePort();
    // The first operator also serves the web console, reading the store the workloads write.
    operator = c.startOperator(['--leader-elect=false', '--resync-period', '20', '--console-port', String(consolePort), '--health-host', '127.0.0.1'], undefined, {
      FLUXORA_DATABASE_URL: c.pg.connectionString,
    });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('turns a missing reference into Ready=False with a reason, and converges once it exists', async () => {
    await c.createNamespace('refs');
    await c.kubectl(['apply', '-f', '-'], featureSet('refs'));
    const waiting = await waitFor(
      'the FeatureSet to report its missing Dataset',
      async () => {
        const fs = await json(c, ['get', 'fs', 'tiny', '-n', 'refs']);
        return condition(fs, 'Ready')?.reason === 'DatasetNotFound' ? fs : undefined;
      },
      30_000,
    );
    expect(condition(waiting, 'Ready')).toMatchObject({ status: 'False', message: 'Dataset "tiny" does not exist in namespace refs' });
    expect(condition(waiting, 'Reconciling')?.status).toBe('True');
    await c.kubectl(['apply', '-f', '-'], small('refs'));
    const ds = await ready(c, 'refs', 'datasets/tiny', 120_000);
    expect(ds.status).toMatchObject({ rows: 400, rejectedRows: 0, phase: 'Ready' });
    const fs = await ready(c, 'refs', 'fs/tiny', 30_000);
    expect(fs.status.featureCount).toBe(3);
  });

  it('costs zero writes in steady state, resyncs included', async () => {
    await new Promise((r) => setTimeout(r, 5000));
    const before = c.writesBy(OPERATOR_USER);
    await new Promise((r) => setTimeout(r, 60_000));
    const after = c.writesBy(OPERATOR_USER, before.lines);
    expect(after.sample).toEqual([]);
    expect(after.count).toBe(0);
    expect(operator.log()).toMatch(/"controller":"dataset"/);
  });

  it('runs the energy-forecast example: trains in pods, serves forecasts and OIP, checks drift', async () => {
    await c.createNamespace('energy');
    await c.kubectl(['create', 'secret', 'generic', 'grid-load-keys', '-n', 'energy', '--from-literal=api-key=e2e-secret-key']);
    const applied = await c.kubectl(['apply', '-n', 'energy', '-f', path.join(ROOT, 'examples/energy-forecast/pipeline.yaml')]);
    expect(applied.code).toBe(0);
    await ready(c, 'energy', 'datasets/grid-load', 180_000);
    const fs = await ready(c, 'energy', 'fs/grid-load', 300_000);
    // The materialization Job's pod stored one row per usable hour of the data under the FeatureSet version.
    expect(fs.status.materialized).toMatchObject({ version: fs.status.version, table: 'feature_rows', jobName: expect.stringMatching(/^grid-load-materialize-/) });
    expect(fs.status.materialized.rows).toBeGreaterThan(12_000);
    const live: Any[] = [];
    const tj = await ready(c, 'energy', 'tj/grid-load-mlp', 1_200_000, (o) => {
      if (o.status?.progress?.epoch !== undefined) live.push({ ...o.status.progress, message: condition(o, 'Reconciling')?.message });
    });
    // Live progress was read from the running pods' progress endpoint while they trained.
    expect(live.length).toBeGreaterThan(0);
    expect(live[0]).toMatchObject({ epoch: expect.any(Number), epochs: expect.any(Number) });
    expect(live[0].epoch).toBeLessThanOrEqual(live[0].epochs);
    expect(live[0].message).toMatch(/epoch \d+\/\d+/);
    expect(tj.status.progress).toBeUndefined();
    expect(tj.status.phase).toBe('Succeeded');
    expect(tj.status.metrics.mae).toBeLessThan(tj.status.baseline.mae);
    expect(tj.status.trials).toMatchObject({ completed: 2, total: 2 });
    expect(tj.status.metrics.mase).toBeLessThan(1);
    expect(tj.status.backtest.folds).toHaveLength(5);
    expect(tj.status.backtest.candidates.map((c: Any) => c.name)).toContain('gbdt');
    expect(tj.status.backtest.selected).toEqual(expect.any(String));
    expect(tj.status.model).toMatchObject({ name: 'grid-load', version: 1 });
    const md = await ready(c, 'energy', 'md/grid-load', 300_000);
    expect(md.status).toMatchObject({ readyReplicas: 1, model: { name: 'grid-load', version: 1 } });

    const pods = await json(c, ['get', 'pods', '-n', 'energy', '-l', 'app.kubernetes.io/instance=grid-load']);
    const ip = pods.items.find((p: Any) => condition(p, 'Ready')?.status === 'True')?.status.podIP;
    expect(ip).toBeTruthy();
    const base = `http://${ip}:8080`;
    const auth = { authorization: 'Bearer e2e-secret-key', 'content-type': 'application/json' };
    expect((await fetch(`${base}/v2/models/grid-load`)).status).toBe(401);
    const meta = (await (await fetch(`${base}/v2/models/grid-load`, { headers: auth })).json()) as Any;
    const width = meta.inputs[0].shape[1];
    const infer = (await (
      await fetch(`${base}/v2/models/grid-load/infer`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ id: 'e2e', inputs: [{ name: 'features', shape: [1, width], datatype: 'FP32', data: Array(width).fill(0) }] }),
      })
    ).json()) as Any;
    expect(infer.id).toBe('e2e');
    expect(infer.outputs.map((o: Any) => o.name)).toEqual(['forecast', 'lower', 'upper']);

    const ds = await json(c, ['get', 'datasets', 'grid-load', '-n', 'energy']);
    const { table } = await loadTable({ format: 'csv', file: path.join(ROOT, 'examples/energy-forecast/data/grid-load.csv') }, { ...ds.spec });
    const fsSpec = (await json(c, ['get', 'fs', 'grid-load', '-n', 'energy'])).spec;
    const history = requiredHistory({ ...fsSpec, anchor: anchorFor(3_600_000) }, 24);
    for (let k = 0; k < 210; k++) {
      const body = forecastBody(table, table.rows - 25 - k, history, 24, fsSpec);
      const res = await fetch(`${base}/v1/forecast`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      const f = (await res.json()) as Any;
      if (k === 0) {
        expect(f.forecasts).toHaveLength(24);
        expect(f.forecasts[0].lower).toBeLessThan(f.forecasts[0].upper);
        expect(f.model).toEqual({ name: 'grid-load', version: 1 });
        expect(Object.keys(f.forecasts[0].quantiles)).toEqual(['0.1', '0.5', '0.9']);
      }
    }
    // KServe's Time Series API, shaped as KServe's clients send it.
    const kserve = timeSeriesBody('grid-load', forecastBody(table, table.rows - 25, history, 24, fsSpec), 3_600_000, 24);
    const tsModels = await fetch(`${base}/v1/timeseries/models`, { headers: auth });
    expect(modelList.parse(await tsModels.json())).toEqual(['grid-load']);
    const tsRes = await fetch(`${base}/v1/timeseries/forecast`, { method: 'POST', headers: auth, body: JSON.stringify(kserve) });
    expect(tsRes.status).toBe(200);
    const ts = forecastResponse.parse(await tsRes.json());
    const [content] = ts.outputs[0].content;
    expect(content).toMatchObject({ type: 'univariate_time_series', name: 'grid-load', frequency: 'H' });
    expect(content.mean_forecast).toHaveLength(24);
    expect(Object.keys(content.quantiles ?? {})).toEqual(['0.1', '0.5', '0.9']);
    const tooFar = await fetch(`${base}/v1/timeseries/forecast`, { method: 'POST', headers: auth, body: JSON.stringify({ ...kserve, options: { horizon: 48 } }) });
    expect(tooFar.status).toBe(400);
    expect(tsErrorResponse.parse(await tooFar.json()).error).toMatchObject({ code: '400', type: 'invalid_horizon', param: 'options.horizon' });

    await new Promise((r) => setTimeout(r, 2000));
    const job = await c.kubectl(['create', 'job', '-n', 'energy', '--from=cronjob/grid-load-drift', 'grid-load-drift-now']);
    expect(job.stderr).toBe('');
    const dm = await ready(c, 'energy', 'dm/grid-load', 180_000);
    expect(['Drift', 'NoDrift']).toContain(dm.status.result);
    expect(dm.status.samples).toBeGreaterThanOrEqual(200);
    if (dm.status.result === 'Drift') {
      expect(dm.status.retrainJob).toBe('grid-load-retrain-v1');
      await waitFor('the retraining TrainingJob', async () => (await c.kubectl(['get', 'tj', 'grid-load-retrain-v1', '-n', 'energy'])).code === 0, 30_000);
    }
    const table2 = await c.kubectl(['get', 'fluxora', '-n', 'energy']);
    expect(table2.stdout).toMatch(/trainingjob\.fluxora\.io\/grid-load-mlp\s+True\s+Succeeded\s+grid-load\s+1\s+[0-9.]+\s+[0-9.]+/);
  });

  it('serves the web console from the caches and the store, to cluster tokens allowed to list the kinds', async () => {
    const api = (path: string, token?: string) => fetch(`http://127.0.0.1:${consolePort}/api/v1/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const viewer = `apiVersion: v1
kind: ServiceAccount
metadata: {name: console-viewer, namespace: energy}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: nobody, namespace: energy}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: fluxora-console-viewer}
rules:
- {apiGroups: [fluxora.io], resources: [datasets, featuresets, trainingjobs, modeldeployments, driftmonitors], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: fluxora-console-viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: fluxora-console-viewer}
subjects: [{kind: ServiceAccount, name: console-viewer, namespace: energy}]
`;
    expect((await c.kubectl(['apply', '-f', '-'], viewer)).code).toBe(0);
    const token = (name: string) => c.kubectl(['create', 'token', name, '-n', 'energy']).then((r) => r.stdout.trim());
    const good = await token('console-viewer');
    const none = await api('resources');
    expect(none.status).toBe(401);
    expect(((await none.json()) as Any).error).toMatch(/kubectl create token/);
    expect((await api('resources', 'not-a-token')).status).toBe(401);
    const denied = await api('resources', await token('nobody'));
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as Any).error).toMatch(/system:serviceaccount:energy:nobody may not list .*trainingjobs\.fluxora\.io/);

    const list = (await (await api('resources', good)).json()) as Any;
    expect(list.mode).toBe('cluster');
    expect(list.storeUnavailable).toBeUndefined();
    const row = list.resources.find((r: Any) => r.kind === 'TrainingJob' && r.name === 'grid-load-mlp');
    expect(row).toMatchObject({ namespace: 'energy', ready: 'True', reason: 'Succeeded', phase: 'Succeeded' });
    expect(Date.parse(row.createdAt)).toBeGreaterThan(Date.now() - 3_600_000);

    // Curves the training pods recorded: both tuning trials and the final training's fits.
    const tj = (await (await api('trainingjobs/energy/grid-load-mlp', good)).json()) as Any;
    expect(new Set(tj.curves.map((cv: Any) => cv.trial))).toEqual(new Set([0, 1, null]));
    expect(tj.curves.every((cv: Any) => cv.points.length > 0)).toBe(true);
    expect(tj.trials.map((t: Any) => t.status)).toEqual(['completed', 'completed']);
    expect(tj.backtest.folds).toHaveLength(5);

    // The served version's held-out forecast, and the serving pod's traffic read from its /metrics.
    const md = (await (await api('modeldeployments/energy/grid-load', good)).json()) as Any;
    expect(md.model).toEqual({ name: 'grid-load', version: 1 });
    expect(md.forecast.timestamps.length).toBeGreaterThanOrEqual(24);
    expect(md.forecast.lower).toHaveLength(md.forecast.timestamps.length);
    expect(md.forecast.coverage).toBe(0.9);
    expect(md.traffic).toMatchObject({ podsScraped: 1, pods: 1 });
    expect(md.traffic.totalRequests).toBeGreaterThanOrEqual(210);

    const dm = (await (await api('driftmonitors/energy/grid-load', good)).json()) as Any;
    expect(dm.runs.length).toBeGreaterThanOrEqual(1);
    expect(dm.features.length).toBeGreaterThan(0);
    const registry = (await (await api('registry', good)).json()) as Any;
    const v1 = registry.models.find((m: Any) => m.name === 'grid-load').versions.find((v: Any) => v.version === 1);
    expect(v1.servedBy).toEqual([expect.objectContaining({ namespace: 'energy', name: 'grid-load' })]);
  });

  it('keeps the old pods serving when a rollout fails, says so, and recovers when fixed', async () => {
    const canary = (secret: string, deadline: number) => `apiVersion: fluxora.io/v1alpha1
kind: ModelDeployment
metadata: {name: canary, namespace: energy}
spec:
  model: {name: grid-load, version: 1}
  replicas: 1
  auth: {apiKeySecretRef: {name: ${secret}}}
  progressDeadlineSeconds: ${deadline}
`;
    expect((await c.kubectl(['apply', '-f', '-'], canary('grid-load-keys', 600))).code).toBe(0);
    await ready(c, 'energy', 'md/canary', 180_000);
    const servingPods = await json(c, ['get', 'pods', '-n', 'energy', '-l', 'app.kubernetes.io/instance=canary']);
    const oldPod = servingPods.items.find((p: Any) => condition(p, 'Ready')?.status === 'True');
    expect(oldPod).toBeTruthy();
    // A new template whose pods cannot start (their Secret is missing): the rollout passes its deadline.
    expect((await c.kubectl(['apply', '-f', '-'], canary('no-such-secret', 30))).code).toBe(0);
    const stalled = await waitFor(
      'the canary rollout to stall',
      async () => {
        const md = await json(c, ['get', 'md', 'canary', '-n', 'energy']);
        return condition(md, 'Stalled')?.status === 'True' ? md : undefined;
      },
      180_000,
      2000,
    );
    expect(condition(stalled, 'Stalled').reason).toBe('RolloutFailed');
    expect(condition(stalled, 'Ready').status).toBe('False');
    expect(condition(stalled, 'Stalled').message).toMatch(/did not become Ready within 30s; 1 pod\(s\) of the previous version keep serving/);
    const live = await fetch(`http://${oldPod.status.podIP}:8080/v2/health/ready`);
    expect(live.status).toBe(200);
    expect((await json(c, ['get', 'pod', oldPod.metadata.name, '-n', 'energy'])).metadata.deletionTimestamp).toBeUndefined();
    // Fixing the spec rolls out and converges.
    expect((await c.kubectl(['apply', '-f', '-'], canary('grid-load-keys', 60))).code).toBe(0);
    await waitFor(
      'the fixed canary to be Ready',
      async () => {
        const md = await json(c, ['get', 'md', 'canary', '-n', 'energy']);
        return condition(md, 'Ready')?.status === 'True' && md.status.observedGeneration === md.metadata.generation;
      },
      180_000,
      2000,
    );
    expect((await c.kubectl(['delete', 'md', 'canary', '-n', 'energy', '--wait=true', '--timeout=60s'])).code).toBe(0);
  });

  it('autoscales on in-flight requests: up to the bound under load, back to the minimum after it', async () => {
    await c.kubectl(
      ['apply', '-f', '-'],
      `apiVersion: fluxora.io/v1alpha1
kind: ModelDeployment
metadata: {name: elastic, namespace: energy}
spec:
  model: {name: grid-load, version: 1}
  autoscaling: {minReplicas: 1, maxReplicas: 3, targetConcurrency: 2, stabilizationWindowSeconds: 0}
  auth: {apiKeySecretRef: {name: grid-load-keys}}
`,
    );
    await ready(c, 'energy', 'md/elastic', 180_000);
    const pods = await json(c, ['get', 'pods', '-n', 'energy', '-l', 'app.kubernetes.io/instance=elastic']);
    expect(pods.items).toHaveLength(1);
    const ip = pods.items[0].status.podIP;
    // Six requests held open mid-body count as in flight on the one pod (target 2 per replica).
    const held = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(8080, ip, () => {
              s.write(`POST /v2/models/grid-load/infer HTTP/1.1\r\nHost: ${ip}\r\nAuthorization: Bearer e2e-secret-key\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"inputs":`);
              resolve(s);
            });
            s.on('error', reject);
          }),
      ),
    );
    try {
      const inflight = await (await fetch(`http://${ip}:8080/metrics`)).text();
      expect(inflight).toMatch(/^fluxora_inflight_requests(\{[^}]*\})? 6$/m);
      const up = await waitFor(
        'the ModelDeployment to scale up to 3 Ready replicas',
        async () => {
          const md = await json(c, ['get', 'md', 'elastic', '-n', 'energy']);
          return md.status.replicas === 3 && md.status.readyReplicas === 3 ? md : undefined;
        },
        180_000,
        2000,
      );
      expect(condition(up, 'Ready').status).toBe('True');
      expect((await json(c, ['get', 'deployment', 'elastic', '-n', 'energy'])).spec.replicas).toBe(3);
    } finally {
      for (const s of held) s.destroy();
    }
    await waitFor(
      'the ModelDeployment to scale back to 1',
      async () => {
        const md = await json(c, ['get', 'md', 'elastic', '-n', 'energy']);
        return md.status.replicas === 1 && condition(md, 'Ready')?.status === 'True';
      },
      120_000,
      2000,
    );
    expect((await c.kubectl(['delete', 'md', 'elastic', '-n', 'energy', '--wait=true', '--timeout=60s'])).code).toBe(0);
  });

  it('converges with no duplicate children when killed mid-reconcile and restarted', async () => {
    await c.createNamespace('crash');
    await c.kubectl(['apply', '-f', '-'], small('crash') + '---\n' + featureSet('crash'));
    await new Promise((r) => setTimeout(r, 300));
    await operator.stop('SIGKILL');
    operator = c.startOperator(['--leader-elect=false', '--resync-period', '20']);
    await ready(c, 'crash', 'fs/tiny', 120_000);
    const jobs = await json(c, ['get', 'jobs', '-n', 'crash']);
    expect(jobs.items.map((j: Any) => j.metadata.name)).toHaveLength(1);
  });

  it('recovers from a kube-apiserver restart and reconciles later changes', async () => {
    await c.cp.restartApiServer();
    await c.createNamespace('after-restart');
    await c.kubectl(['apply', '-f', '-'], small('after-restart') + '---\n' + featureSet('after-restart'));
    await ready(c, 'after-restart', 'fs/tiny', 120_000);
  });

  it('garbage-collects every child on delete and leaves nothing Terminating', async () => {
    const del = await c.kubectl(['delete', 'fluxora', '--all', '-n', 'energy', '--wait=true', '--timeout=120s']);
    expect(del.code).toBe(0);
    await waitFor(
      'children of the energy namespace to be gone',
      async () => {
        const left = await c.kubectl(['get', 'jobs,cronjobs,deployments,services,pods', '-n', 'energy', '-o', 'name']);
        return left.stdout.trim() === '' ? true : undefined;
      },
      120_000,
      2000,
    );
  });

  it('lets exactly one of two operator replicas lead, and fails over when the leader dies', async () => {
    await operator.stop('SIGTERM');
    const a = c.startOperator(['--leader-elect=true', '--lease-name', 'fluxora-e2e'], 'replica-a');
    const b = c.startOperator(['--leader-elect=true', '--lease-name', 'fluxora-e2e'], 'replica-b');
    const holder = await waitFor(
      'a leader',
      async () => (await json(c, ['get', 'lease', 'fluxora-e2e', '-n', 'fluxora-system'])).spec.holderIdentity as string | undefined,
      30_000,
    );
    expect(holder.startsWith('replica-a_') || holder.startsWith('replica-b_')).toBe(true);
    const [leader, standby] = holder.startsWith('replica-a_') ? [a, b] : [b, a];
    const killedAt = Date.now();
    await leader.stop('SIGKILL');
    const next = await waitFor(
      'the standby to take over',
      async () => {
        const h = (await json(c, ['get', 'lease', 'fluxora-e2e', '-n', 'fluxora-system'])).spec.holderIdentity as string;
        return h && h !== holder ? h : undefined;
      },
      40_000,
      500,
    );
    expect(next.startsWith(`${standby.name}_`)).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    await c.createNamespace('failover');
    await c.kubectl(['apply', '-f', '-'], small('failover') + '---\n' + featureSet('failover'));
    await ready(c, 'failover', 'fs/tiny', 120_000);
    operator = standby;
  });
});

