import type { V1ConfigMap } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from './controller.ts';
import { FakeClock, flushAsync } from '../../test/support/fake-clock.ts';
import { FakeLeaseBackend } from '../../test/support/fake-lease-store.ts';
import { FakeApiServer, FakeListWatch } from '../../test/support/fake-list-watch.ts';
import { ResilientInformer } from './informer.ts';
import { silentKubeLogger } from './logger.ts';
import { Manager } from './manager.ts';

const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
});

function replica(clock: FakeClock, backend: FakeLeaseBackend, server: FakeApiServer<V1ConfigMap>, identity: string) {
  const registry = new Registry();
  const reconciled: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  const informer = new ResilientInformer<V1ConfigMap>({
    resource: 'configmaps',
    factory: () => new FakeListWatch(server),
    clock,
    registry,
    logger: silentKubeLogger,
    resyncMs: 0,
  });
  const controller = new Controller({
    name: 'configmaps',
    clock,
    registry,
    logger: silentKubeLogger,
    reconcile: async (key) => {
      reconciled.push(key);
      await gate;
    },
  });
  controller.watch(informer);
  const lost: string[] = [];
  const manager = new Manager({
    leaderElection: { store: backend.view(), identity, random: () => 0.5 },
    healthPort: 0,
    healthHost: '127.0.0.1',
    clock,
    registry,
    logger: silentKubeLogger,
    onLostLeadership: () => lost.push(identity),
  });
  manager.addController(controller);
  managers.push(manager);
  return {
    manager,
    informer,
    controller,
    reconciled,
    lost,
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((r) => {
        release = r;
      });
      return release;
    },
  };
}

async function readyz(m: Manager): Promise<number> {
  return (await fetch(`http://127.0.0.1:${m.healthPort()}/readyz`)).status;
}

describe('Manager', () => {
  it('starts informers on every replica but controllers only on the leader', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const server = new FakeApiServer<V1ConfigMap>();
    server.upsert({ metadata: { name: 'a', namespace: 'ns' } });
    const a = replica(clock, backend, server, 'a');
    const b = replica(clock, backend, server, 'b');
    await a.manager.start();
    await clock.advance(0);
    await b.manager.start();
    await clock.advance(10_000);
    expect(a.manager.isLeader()).toBe(true);
    expect(b.manager.isLeader()).toBe(false);
    expect(a.informer.hasSynced() && b.informer.hasSynced()).toBe(true);
    expect(await readyz(a.manager)).toBe(200);
    expect(await readyz(b.manager)).toBe(200); // a standby is ready: rollouts proceed
    expect(a.controller.isStarted()).toBe(true);
    expect(b.controller.isStarted()).toBe(false);
    expect(a.reconciled).toEqual(['ns/a']);
    expect(b.reconciled).toEqual([]);
    server.upsert({ metadata: { name: 'b', namespace: 'ns' } });
    await flushAsync();
    expect(a.reconciled).toEqual(['ns/a', 'ns/b']);
    expect(b.reconciled).toEqual([]);
  });

  it('is not ready until its informers synced', async () => {
    const clock = new FakeClock();
    const server = new FakeApiServer<V1ConfigMap>();
    server.down = true;
    const a = replica(clock, new FakeLeaseBackend(), server, 'a');
    await a.manager.start();
    await clock.advance(0);
    expect(await readyz(a.manager)).toBe(500);
    expect(await (await fetch(`http://127.0.0.1:${a.manager.healthPort()}/readyz`)).text()).toContain('not synced: configmaps');
    server.down = false;
    await clock.advance(1000);
    expect(await readyz(a.manager)).toBe(200);
  });

  it('on stop, finishes the in-flight reconcile before releasing the lease, then hands over', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const server = new FakeApiServer<V1ConfigMap>();
    const a = replica(clock, backend, server, 'a');
    const b = replica(clock, backend, server, 'b');
    await a.manager.start();
    await clock.advance(0);
    await b.manager.start();
    await clock.advance(2000);
    const release = a.hold();
    server.upsert({ metadata: { name: 'slow', namespace: 'ns' } });
    await flushAsync();
    expect(a.reconciled).toEqual(['ns/slow']);
    const stopped = a.manager.stop();
    await clock.advance(5000);
    expect(backend.lease?.record.holderIdentity).toBe('a'); // still renewing while draining
    release();
    await stopped;
    expect(backend.lease?.record.holderIdentity).toBe('');
    await clock.advance(3200);
    expect(b.manager.isLeader()).toBe(true);
    expect(b.reconciled).toContain('ns/slow'); // the successor reconciles everything once
    expect(a.lost).toEqual([]);
  });

  it('gives up on a stuck reconcile after the graceful-shutdown deadline', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const server = new FakeApiServer<V1ConfigMap>();
    const a = replica(clock, backend, server, 'a');
    await a.manager.start();
    await clock.advance(0);
    a.hold(); // never released
    server.upsert({ metadata: { name: 'stuck', namespace: 'ns' } });
    await flushAsync();
    const stopped = a.manager.stop();
    await clock.advance(30_000);
    await stopped;
    expect(backend.lease?.record.holderIdentity).toBe('');
  });

  it('calls onLostLeadership when the lease is lost', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const a = replica(clock, backend, new FakeApiServer<V1ConfigMap>(), 'a');
    await a.manager.start();
    await clock.advance(0);
    expect(a.manager.isLeader()).toBe(true);
    backend.store({ holderIdentity: 'other', leaseDurationSeconds: 15, acquireTime: 'x', renewTime: 'y', leaseTransitions: 1 });
    await clock.advance(2000);
    expect(a.lost).toEqual(['a']);
    expect(a.manager.isLeader()).toBe(false);
  });
});
