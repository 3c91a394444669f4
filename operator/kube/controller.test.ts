import type { V1ConfigMap } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Controller, type Reconciler, TerminalError } from './controller.ts';
import { FakeClock, flushAsync } from '../../test/support/fake-clock.ts';
import { FakeApiServer, FakeListWatch } from '../../test/support/fake-list-watch.ts';
import { ResilientInformer } from './informer.ts';
import { silentKubeLogger } from './logger.ts';
import { mapByIndex, mapToOwner } from './map-functions.ts';

function setup(reconcile: Reconciler, maxConcurrentReconciles = 1) {
  const clock = new FakeClock();
  const registry = new Registry();
  const controller = new Controller({
    name: 'test',
    kind: 'ConfigMap',
    reconcile,
    clock,
    registry,
    logger: silentKubeLogger,
    maxConcurrentReconciles,
  });
  return { clock, registry, controller };
}

async function counter(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return value?.value ?? 0;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('Controller', () => {
  it('reconciles a key and forgets it on success', async () => {
    const seen: string[] = [];
    const { controller, registry } = setup(async (key) => {
      seen.push(key);
    });
    controller.start();
    controller.enqueue('ns/a');
    await flushAsync();
    expect(seen).toEqual(['ns/a']);
    expect(await counter(registry, 'controller_runtime_reconcile_total', { result: 'success' })).toBe(1);
    expect(await counter(registry, 'controller_runtime_max_concurrent_reconciles')).toBe(1);
    await controller.stop();
  });

  it('retries a thrown error with backoff until it succeeds, then forgets', async () => {
    let calls = 0;
    const times: number[] = [];
    const { controller, clock, registry } = setup(async () => {
      times.push(clock.now());
      if (++calls <= 3) throw new Error('API unavailable');
    });
    controller.start();
    controller.enqueue('ns/a');
    await clock.advance(1000);
    expect(calls).toBe(4);
    expect(times.map((t) => t - times[0])).toEqual([0, 5, 15, 35]);
    expect(controller.queue.numRequeues('ns/a')).toBe(0);
    expect(await counter(registry, 'controller_runtime_reconcile_errors_total')).toBe(3);
    expect(await counter(registry, 'controller_runtime_reconcile_total', { result: 'error' })).toBe(3);
    expect(await counter(registry, 'controller_runtime_reconcile_total', { result: 'success' })).toBe(1);
    await controller.stop();
  });

  it('does not requeue a TerminalError (nor an error caused by one)', async () => {
    let calls = 0;
    const { controller, clock, registry } = setup(async (key) => {
      calls++;
      if (key === 'ns/a') throw new TerminalError('spec.model.type is not supported', { reason: 'InvalidSpec' });
      throw new Error('wrapped', { cause: new TerminalError('bad') });
    });
    controller.start();
    controller.enqueue('ns/a');
    controller.enqueue('ns/b');
    await clock.advance(60_000);
    expect(calls).toBe(2);
    expect(clock.pending()).toBe(0);
    expect(await counter(registry, 'controller_runtime_terminal_reconcile_errors_total')).toBe(2);
    expect(await counter(registry, 'controller_runtime_reconcile_errors_total')).toBe(2);
    await controller.stop();
  });

  it('requeues after requeueAfterMs, and through the rate limiter on requeue', async () => {
    const times: number[] = [];
    let n = 0;
    const { controller, clock, registry } = setup(async () => {
      times.push(clock.now());
      n++;
      if (n === 1) return { requeueAfterMs: 30_000 };
      if (n === 2) return { requeue: true };
      return undefined;
    });
    controller.start();
    controller.enqueue('ns/a');
    await clock.advance(29_999);
    expect(times).toHaveLength(1);
    await clock.advance(1);
    expect(times).toHaveLength(2);
    await clock.advance(5);
    expect(times).toHaveLength(3);
    expect(await counter(registry, 'controller_runtime_reconcile_total', { result: 'requeue_after' })).toBe(1);
    expect(await counter(registry, 'controller_runtime_reconcile_total', { result: 'requeue' })).toBe(1);
    await controller.stop();
  });

  it('runs up to N workers but never one key twice at once, and re-runs a key changed meanwhile', async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const running = new Set<string>();
    let maxParallel = 0;
    const runs: string[] = [];
    const { controller, registry } = setup(async (key) => {
      expect(running.has(key)).toBe(false);
      running.add(key);
      maxParallel = Math.max(maxParallel, running.size);
      runs.push(key);
      const gate = deferred();
      gates.set(key, gate);
      await gate.promise;
      running.delete(key);
    }, 2);
    controller.start();
    for (const k of ['a', 'b', 'c']) controller.enqueue(k);
    await flushAsync();
    expect([...running].sort()).toEqual(['a', 'b']);
    expect(await counter(registry, 'controller_runtime_active_workers')).toBe(2);
    controller.enqueue('a'); // changed while being reconciled
    gates.get('a')?.resolve();
    await flushAsync();
    expect([...running].sort()).toEqual(['b', 'c']);
    gates.get('b')?.resolve();
    await flushAsync();
    expect([...running].sort()).toEqual(['a', 'c']);
    gates.get('a')?.resolve();
    gates.get('c')?.resolve();
    await flushAsync();
    expect(runs).toEqual(['a', 'b', 'c', 'a']);
    expect(maxParallel).toBe(2);
    await controller.stop();
  });

  it('stop waits for the in-flight reconcile and hands out nothing more', async () => {
    const gate = deferred();
    const runs: string[] = [];
    const { controller } = setup(async (key) => {
      runs.push(key);
      await gate.promise;
    });
    controller.start();
    controller.enqueue('a');
    controller.enqueue('b');
    await flushAsync();
    let stopped = false;
    const stopping = controller.stop().then(() => {
      stopped = true;
    });
    await flushAsync();
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(runs).toEqual(['a']);
  });

  it('maps watched objects to keys: self, owner, and referencing objects through an index', async () => {
    const reconciled: string[] = [];
    const { controller, clock } = setup(async (key) => {
      reconciled.push(key);
    });
    const mk = (server: FakeApiServer<V1ConfigMap>) =>
      new ResilientInformer<V1ConfigMap>({
        resource: 'configmaps',
        factory: () => new FakeListWatch(server),
        clock,
        logger: silentKubeLogger,
        registry: new Registry(),
        resyncMs: 0,
      });
    const ownersServer = new FakeApiServer<V1ConfigMap>();
    const childrenServer = new FakeApiServer<V1ConfigMap>();
    const referencedServer = new FakeApiServer<V1ConfigMap>();
    const owners = mk(ownersServer);
    const children = mk(childrenServer);
    const referenced = mk(referencedServer);
    owners.addIndex('dataset', (o) => (o.data?.dataset ? [`${o.metadata?.namespace}/${o.data.dataset}`] : []));
    controller.watch(owners);
    controller.watch(children, mapToOwner({ kind: 'TrainingJob', group: 'fluxora.io' }));
    controller.watch(referenced, mapByIndex(owners, 'dataset'));

    ownersServer.upsert({ metadata: { name: 'tj1', namespace: 'ns' }, data: { dataset: 'energy' } });
    ownersServer.upsert({ metadata: { name: 'tj2', namespace: 'ns' }, data: { dataset: 'other' } });
    for (const i of [owners, children, referenced]) i.start();
    await Promise.all([owners, children, referenced].map((i) => i.waitForSync()));
    expect(reconciled).toEqual([]); // nothing before start (not leading yet)
    controller.start();
    await flushAsync();
    expect(reconciled.sort()).toEqual(['ns/tj1', 'ns/tj2']); // the cache is replayed at start
    reconciled.length = 0;

    childrenServer.upsert({
      metadata: {
        name: 'tj1-train',
        namespace: 'ns',
        ownerReferences: [
          { apiVersion: 'fluxora.io/v1alpha1', kind: 'TrainingJob', name: 'tj1', uid: 'u1', controller: true },
          { apiVersion: 'other.io/v1', kind: 'TrainingJob', name: 'x', uid: 'u2', controller: false },
        ],
      },
    });
    await flushAsync();
    expect(reconciled).toEqual(['ns/tj1']);

    referencedServer.upsert({ metadata: { name: 'energy', namespace: 'ns' } });
    await flushAsync();
    expect(reconciled).toEqual(['ns/tj1', 'ns/tj1']);

    for (const i of [owners, children, referenced]) await i.stop();
    await controller.stop();
  });

  it('applies a predicate to updates', async () => {
    const reconciled: string[] = [];
    const { controller, clock } = setup(async (key) => {
      reconciled.push(key);
    });
    const server = new FakeApiServer<V1ConfigMap>();
    const informer = new ResilientInformer<V1ConfigMap>({
      resource: 'configmaps',
      factory: () => new FakeListWatch(server),
      clock,
      logger: silentKubeLogger,
      registry: new Registry(),
      resyncMs: 0,
    });
    controller.watch(informer, undefined, {
      predicate: (obj, old) => !old || obj.metadata?.generation !== old.metadata?.generation,
    });
    controller.start();
    informer.start();
    server.upsert({ metadata: { name: 'a', namespace: 'ns', generation: 1 } });
    await flushAsync();
    server.upsert({ metadata: { name: 'a', namespace: 'ns', generation: 1 }, data: { status: 'x' } });
    await flushAsync();
    server.upsert({ metadata: { name: 'a', namespace: 'ns', generation: 2 } });
    await flushAsync();
    expect(reconciled).toEqual(['ns/a', 'ns/a']);
    await informer.stop();
    await controller.stop();
  });
});
