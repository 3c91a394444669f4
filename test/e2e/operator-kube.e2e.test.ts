/**
 * The controller core (operator/kube) against a real kube-apiserver: leader
 * election between two managers, an informer surviving an API server restart,
 * compare-then-apply with server-side apply, and event aggregation. The
 * measured numbers (failover times, recovery time) are printed as one JSON
 * line at the end.
 */
import type { KubeConfig, KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Applier, FIELD_MANAGER, type ObjectWithStatus } from '../../operator/kube/apply.ts';
import { markReady, markReconciling } from '../../operator/kube/conditions.ts';
import { Controller } from '../../operator/kube/controller.ts';
import { EventRecorder, kubeEventSink } from '../../operator/kube/events.ts';
import { kubeInformer } from '../../operator/kube/informer.ts';
import { loadKubeConfig } from '../../operator/kube/kube-config.ts';
import { LeaderElector } from '../../operator/kube/leader-election.ts';
import { kubeLeaseStore, type LeaseStore } from '../../operator/kube/lease-store.ts';
import { defaultKubeLogger, type KubeLogger, silentKubeLogger } from '../../operator/kube/logger.ts';
import { Manager } from '../../operator/kube/manager.ts';
import { parseMicroTime } from '../../operator/kube/micro-time.ts';
import { JsonObjectApi } from '../../operator/kube/object-api.ts';
import { type ControlPlane, startControlPlane } from './harness/control-plane.ts';

const NS = 'fluxora-kube-e2e';
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const logger: KubeLogger = process.env.FLUXORA_LOG_LEVEL ? defaultKubeLogger() : silentKubeLogger;
const measured: Record<string, number | string> = {};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** waitFor polls `cond` every `everyMs` until it holds and returns the elapsed milliseconds. */
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<number> {
  const start = performance.now();
  while (!(await cond())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
  return performance.now() - start;
}

describe('operator/kube against a real API server', () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  const cleanups: (() => Promise<unknown>)[] = [];

  async function kubectl(args: string[], input?: string): Promise<string> {
    const r = await cp.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
    return r.stdout;
  }

  async function getJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
    return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
  }

  async function createConfigMap(name: string, labels: Record<string, string>, data: Record<string, string> = {}): Promise<void> {
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels }, data }));
  }

  beforeAll(async () => {
    cp = await startControlPlane();
    kc = loadKubeConfig({ kubeconfig: cp.kubeconfigPath }).kubeConfig;
    await kubectl(['create', 'namespace', NS]);
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await cp?.stop();
    console.log(JSON.stringify({ e2e: 'operator-kube', ...measured }));
  });

  it('lets exactly one of two managers lead one Lease, and hands over when the leader stops', async () => {
    const replica = (name: string) => {
      const registry = new Registry();
      const reconciled: string[] = [];
      const lost: string[] = [];
      const informer = kubeInformer<V1ConfigMap>({
        kubeConfig: kc,
        apiVersion: 'v1',
        plural: 'configmaps',
        namespace: NS,
        labelSelector: 'e2e=leader',
        registry,
        logger,
      });
      const controller = new Controller({
        name: 'configmaps',
        kind: 'ConfigMap',
        registry,
        logger,
        reconcile: async (key) => {
          reconciled.push(key);
        },
      });
      controller.watch(informer);
      const manager = new Manager({
        leaderElection: { store: kubeLeaseStore(kc, NS, 'fluxora-e2e-leader'), identity: `${name}_${process.pid}` },
        healthPort: 0,
        healthHost: '127.0.0.1',
        registry,
        logger,
        onLostLeadership: () => lost.push(name),
      });
      manager.addController(controller);
      cleanups.push(() => manager.stop());
      return { name, manager, controller, reconciled, lost };
    };
    const a = replica('a');
    const b = replica('b');
    await createConfigMap('watched', { e2e: 'leader' });

    await Promise.all([a.manager.start(), b.manager.start()]);
    measured.firstLeaderMs = Math.round(await waitFor('a leader', () => a.manager.isLeader() || b.manager.isLeader(), 20_000));
    // Watch it for a while: never two leaders, always one.
    for (let i = 0; i < 50; i++) {
      expect(Number(a.manager.isLeader()) + Number(b.manager.isLeader())).toBe(1);
      await sleep(100);
    }
    const [leader, standby] = a.manager.isLeader() ? [a, b] : [b, a];

    const lease = await getJson<{ spec: Record<string, unknown> }>(['get', 'lease', 'fluxora-e2e-leader', '-n', NS]);
    expect(lease.spec.holderIdentity).toBe(leader.manager.identity);
    expect(lease.spec.leaseDurationSeconds).toBe(15);
    expect(lease.spec.renewTime).toMatch(MICRO_TIME);
    expect(lease.spec.acquireTime).toMatch(MICRO_TIME);
    const transitionsBefore = Number(lease.spec.leaseTransitions ?? 0);

    // Both are ready (informers synced); only the leader reconciles.
    for (const r of [a, b]) {
      const res = await fetch(`http://127.0.0.1:${r.manager.healthPort()}/readyz`);
      expect(res.status, `${r.name} /readyz`).toBe(200);
    }
    await waitFor('the leader to reconcile', () => leader.reconciled.includes(`${NS}/watched`), 10_000);
    await createConfigMap('second', { e2e: 'leader' });
    await waitFor('the leader to reconcile a new object', () => leader.reconciled.includes(`${NS}/second`), 10_000);
    expect(standby.reconciled).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${leader.manager.healthPort()}/metrics`)).text();
    expect(metrics).toMatch(/controller_runtime_reconcile_total\{controller="configmaps",result="success"\} [1-9]/);
    expect(metrics).toContain('leader_election_master_status{name="fluxora-kube-e2e/fluxora-e2e-leader"} 1');

    // Graceful stop of the leader: it releases the lease, the standby takes over on its next retry.
    const stopStart = performance.now();
    await leader.manager.stop();
    const stopMs = performance.now() - stopStart;
    const handoverMs = await waitFor('the standby to lead', () => standby.manager.isLeader(), 15_000);
    measured.stopLeaderMs = Math.round(stopMs);
    measured.handoverAfterReleaseMs = Math.round(handoverMs);
    expect(handoverMs).toBeLessThan(15_000);
    const after = await getJson<{ spec: Record<string, unknown> }>(['get', 'lease', 'fluxora-e2e-leader', '-n', NS]);
    expect(after.spec.holderIdentity).toBe(standby.manager.identity);
    expect(after.spec.leaseTransitions).toBe(transitionsBefore + 1);
    await waitFor('the new leader to reconcile everything', () => standby.reconciled.length >= 2, 10_000);
    expect(new Set(standby.reconciled)).toEqual(new Set([`${NS}/watched`, `${NS}/second`]));
    expect([a.lost, b.lost]).toEqual([[], []]);
    await standby.manager.stop();
    const released = await getJson<{ spec: Record<string, unknown> }>(['get', 'lease', 'fluxora-e2e-leader', '-n', NS]);
    expect(released.spec.holderIdentity ?? '').toBe('');
    expect(released.spec.leaseDurationSeconds).toBe(1);
  });

  it('replaces a crashed leader once its lease expired', async () => {
    const events: string[] = [];
    const elector = (name: string) =>
      new LeaderElector({
        store: kubeLeaseStore(kc, NS, 'fluxora-e2e-crash'),
        identity: name,
        registry: new Registry(),
        logger,
        onStartedLeading: () => events.push(`${name} started`),
        onStoppedLeading: (reason) => events.push(`${name} stopped:${reason}`),
      });
    const a = elector('a');
    const b = elector('b');
    a.run();
    await waitFor('a to lead', () => a.isLeader(), 10_000);
    b.run();
    await sleep(5000);
    expect(b.isLeader()).toBe(false);
    await a.stop({ release: false }); // a crash: the lease is not released
    const crashedAt = Date.now();
    const lease = await getJson<{ spec: { renewTime: string } }>(['get', 'lease', 'fluxora-e2e-crash', '-n', NS]);
    const lastRenew = parseMicroTime(lease.spec.renewTime) as number;
    await waitFor('b to take over', () => b.isLeader(), 30_000, 20);
    const now = Date.now();
    measured.crashTakeoverAfterLastRenewMs = Math.round(now - lastRenew);
    measured.crashTakeoverAfterCrashMs = now - crashedAt;
    expect(now - lastRenew).toBeGreaterThanOrEqual(14_900);
    expect(now - lastRenew).toBeLessThan(15_000 + 2 * 4400 + 2000);
    const taken = await getJson<{ spec: Record<string, unknown> }>(['get', 'lease', 'fluxora-e2e-crash', '-n', NS]);
    expect(taken.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.stop();
    expect(events).toEqual(['a started', 'a stopped:stopped', 'b started', 'b stopped:stopped']);
  });

  it('steps a partitioned leader down after the renew deadline, before the standby takes over', async () => {
    // a's lease calls fail from some point on (a network partition); b still reaches the API server.
    const real = kubeLeaseStore(kc, NS, 'fluxora-e2e-partition');
    let partitioned = false;
    const cut = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      if (partitioned) throw new Error('connect ETIMEDOUT (partitioned)');
      return fn(...args);
    };
    const aStore: LeaseStore = { describe: real.describe, get: cut(real.get), create: cut(real.create), update: cut(real.update) };
    const at: Record<string, number> = {};
    const elector = (name: string, store: LeaseStore) =>
      new LeaderElector({
        store,
        identity: name,
        registry: new Registry(),
        logger,
        onStartedLeading: () => {
          at[`${name} started`] = Date.now();
        },
        onStoppedLeading: (reason) => {
          at[`${name} stopped:${reason}`] = Date.now();
        },
      });
    const a = elector('a', aStore);
    const b = elector('b', kubeLeaseStore(kc, NS, 'fluxora-e2e-partition'));
    a.run();
    await waitFor('a to lead', () => a.isLeader(), 10_000);
    b.run();
    await sleep(3000);
    partitioned = true;
    const lastRenew = a.lastRenewTime();
    await waitFor('b to take over', () => {
      expect(a.isLeader() && b.isLeader(), 'two leaders at once').toBe(false);
      return b.isLeader();
    }, 40_000, 20);
    const stepDown = at['a stopped:lost'] - lastRenew;
    const takeover = at['b started'] - lastRenew;
    measured.partitionedLeaderStepsDownAfterLastRenewMs = Math.round(stepDown);
    measured.partitionTakeoverAfterLastRenewMs = Math.round(takeover);
    expect(stepDown).toBeGreaterThanOrEqual(10_000);
    expect(stepDown).toBeLessThan(10_000 + 2000 + 1000);
    expect(takeover).toBeGreaterThanOrEqual(15_000);
    expect(takeover - stepDown).toBeGreaterThan(4000); // no moment with two leaders
    await b.stop();
    await a.stop();
  });

  it('keeps an informer alive across an API server restart and sees objects created afterwards', async () => {
    const registry = new Registry();
    const seen: string[] = [];
    const informer = kubeInformer<V1ConfigMap>({
      kubeConfig: kc,
      apiVersion: 'v1',
      plural: 'configmaps',
      namespace: NS,
      labelSelector: 'e2e=informer',
      registry,
      logger,
    });
    informer.addHandler({
      onAdd: (o) => seen.push(`add ${o.metadata?.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    cleanups.push(() => informer.stop());
    await createConfigMap('before', { e2e: 'informer' });
    informer.start();
    await informer.waitForSync();
    expect(informer.get(NS, 'before')).toBeDefined();
    await createConfigMap('unlabelled', {});

    const restartStart = performance.now();
    await cp.restartApiServer();
    measured.apiServerRestartMs = Math.round(performance.now() - restartStart);
    const restartedAt = Date.now();
    const createStart = performance.now();
    await createConfigMap('after', { e2e: 'informer' });
    await waitFor('the informer to see a ConfigMap created after the restart', () => informer.get(NS, 'after') !== undefined, 60_000);
    measured.informerSeesObjectCreatedAfterRestartMs = Math.round(performance.now() - createStart);
    measured.informerRestarts = informer.restarts();
    expect(informer.restarts()).toBeGreaterThanOrEqual(1);
    expect(informer.get(NS, 'before')).toBeDefined();
    expect(informer.get(NS, 'unlabelled')).toBeUndefined();
    const json = await registry.getMetricsAsJSON();
    const restarts = json.find((m) => m.name === 'fluxora_informer_restarts_total')?.values[0];
    const lastSync = json.find((m) => m.name === 'fluxora_informer_last_sync_timestamp_seconds')?.values[0];
    expect(restarts?.labels.resource).toBe('configmaps');
    expect(restarts?.value).toBe(informer.restarts());
    expect((lastSync?.value ?? 0) * 1000).toBeGreaterThanOrEqual(restartedAt - 1000);

    await kubectl(['delete', 'configmap', 'before', '-n', NS]);
    await waitFor('the delete event', () => seen.includes('delete before'), 10_000);
    expect(seen.filter((s) => s === 'add before')).toHaveLength(1); // no duplicate add after the restart
  });

  it('applies with server-side apply only when something changed', async () => {
    const api = JsonObjectApi.fromKubeConfig(kc);
    const applier = new Applier(api, { logger });
    const owner = await applier.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: NS }, data: {} });
    expect(owner.written).toBe(true);
    const desired: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'child', namespace: NS, labels: { app: 'fluxora' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: String((owner.object as { metadata?: { uid?: string } }).metadata?.uid), controller: true, blockOwnerDeletion: true }] },
      data: { a: '1', b: '2' },
    };
    const first = await applier.apply(desired);
    expect(first).toMatchObject({ written: true, reason: 'absent' });
    const rv1 = first.object.metadata?.resourceVersion;
    const managedTime1 = first.object.metadata?.managedFields?.find((m) => m.manager === FIELD_MANAGER)?.time;

    const second = await applier.apply(desired);
    expect(second.written).toBe(false);
    const live = await getJson<KubernetesObject>(['get', 'configmap', 'child', '-n', NS, '--show-managed-fields']);
    expect(live.metadata?.resourceVersion).toBe(rv1);
    expect(live.metadata?.managedFields?.find((m) => m.manager === FIELD_MANAGER)?.time).toBe(managedTime1);
    expect(live.metadata?.ownerReferences?.[0]).toMatchObject({ name: 'owner', controller: true, blockOwnerDeletion: true });

    // What the API server does with a no-op apply sent anyway (for the record).
    const forced = await api.patch(desired, undefined, undefined, FIELD_MANAGER, true, 'application/apply-patch+yaml');
    measured.noopApplyBumpsResourceVersion = String(forced.metadata?.resourceVersion !== rv1);

    // Another manager's field does not make us write; dropping one of ours does, and removes it.
    await kubectl(['label', 'configmap', 'child', '-n', NS, 'team=forecasting']);
    expect((await applier.apply(desired)).written).toBe(false);
    const dropped = await applier.apply({ ...desired, data: { a: '1' } });
    expect(dropped).toMatchObject({ written: true, reason: 'drops data.b' });
    const afterDrop = await getJson<V1ConfigMap>(['get', 'configmap', 'child', '-n', NS, '--show-managed-fields']);
    expect(afterDrop.data).toEqual({ a: '1' });
    expect(afterDrop.metadata?.labels).toEqual({ app: 'fluxora', team: 'forecasting' });
    expect((await applier.apply({ ...desired, data: { a: '1' } }, { live: afterDrop })).written).toBe(false);
  });

  it('applies status through the status subresource without clobbering other writers, and only on change', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(widgetCrd));
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/widgets.e2e.fluxora.io']);
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'e2e.fluxora.io/v1', kind: 'Widget', metadata: { name: 'w', namespace: NS }, spec: { size: 1 } }));
    const applier = new Applier(JsonObjectApi.fromKubeConfig(kc), { logger });
    const widget = (conditions: ReturnType<typeof markReady>): ObjectWithStatus => ({
      apiVersion: 'e2e.fluxora.io/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: NS },
      status: { observedGeneration: 1, conditions },
    });
    const t0 = Date.UTC(2026, 0, 1);
    const first = await applier.applyStatus(widget(markReconciling(undefined, { reason: 'Progressing', observedGeneration: 1 }, t0)));
    expect(first.written).toBe(true);
    const rv1 = first.object.metadata?.resourceVersion;

    // Same statuses computed again an hour later: nothing to write, transition times kept.
    const again = await applier.applyStatus(widget(markReconciling(undefined, { reason: 'Progressing', observedGeneration: 1 }, t0 + 3_600_000)));
    expect(again.written).toBe(false);
    const live = await getJson<{ metadata: { resourceVersion: string }; status: { conditions: { type: string; lastTransitionTime: string }[] } }>(['get', 'widget', 'w', '-n', NS]);
    expect(live.metadata.resourceVersion).toBe(rv1);
    expect(live.status.conditions.every((c) => c.lastTransitionTime === '2026-01-01T00:00:00Z')).toBe(true);

    // Another controller owns a condition of its own.
    await kubectl(
      ['apply', '--server-side', '--subresource=status', '--field-manager=other-controller', '-f', '-'],
      JSON.stringify({
        apiVersion: 'e2e.fluxora.io/v1',
        kind: 'Widget',
        metadata: { name: 'w', namespace: NS },
        status: { conditions: [{ type: 'External', status: 'True', reason: 'Checked', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
      }),
    );
    const ready = await applier.applyStatus(widget(markReady(undefined, { reason: 'Succeeded', observedGeneration: 1 }, t0 + 7_200_000)));
    expect(ready.written).toBe(true);
    const final = await getJson<{ spec: unknown; status: { conditions: { type: string; status: string; lastTransitionTime: string }[] } }>(['get', 'widget', 'w', '-n', NS]);
    expect(final.status.conditions.map((c) => `${c.type}=${c.status}`).sort()).toEqual(['External=True', 'Ready=True']);
    expect(final.status.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-01-01T02:00:00Z');
    expect(final.spec).toEqual({ size: 1 });
    expect((await applier.applyStatus(widget(markReady(undefined, { reason: 'Succeeded', observedGeneration: 1 }, t0)))).written).toBe(false);
  });

  it('aggregates repeated events into one Event with a series count, without secrets', async () => {
    const regarding = await getJson<KubernetesObject>(['get', 'configmap', 'child', '-n', NS]);
    const recorder = new EventRecorder({ sink: kubeEventSink(kc), reportingInstance: 'e2e', logger });
    for (let i = 0; i < 3; i++) {
      await recorder.record(regarding, 'Warning', 'ApplyFailed', 'cannot reach postgres://fluxora:hunter2@db:5432/energy', 'Apply');
    }
    await recorder.record(regarding, 'Normal', 'Applied', 'applied child', 'Apply');
    const list = await getJson<{ items: Record<string, unknown>[] }>(['get', 'events.events.k8s.io', '-n', NS]);
    const about = list.items.filter((e) => (e.regarding as { name?: string })?.name === 'child' && e.reportingController === 'fluxora.io/operator');
    expect(about).toHaveLength(2);
    const failed = about.find((e) => e.reason === 'ApplyFailed') as Record<string, unknown>;
    expect(failed.series).toMatchObject({ count: 3 });
    expect((failed.series as { lastObservedTime: string }).lastObservedTime).toMatch(MICRO_TIME);
    expect(failed.note).toBe('cannot reach postgres://fluxora:***@db:5432/energy');
    expect(JSON.stringify(list)).not.toContain('hunter2');
  });
});

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.e2e.fluxora.io' },
  spec: {
    group: 'e2e.fluxora.io',
    scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              status: {
                type: 'object',
                properties: {
                  observedGeneration: { type: 'integer' },
                  conditions: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['type'],
                    items: {
                      type: 'object',
                      required: ['type', 'status'],
                      properties: {
                        type: { type: 'string' },
                        status: { type: 'string' },
                        reason: { type: 'string' },
                        message: { type: 'string' },
                        lastTransitionTime: { type: 'string' },
                        observedGeneration: { type: 'integer' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};
