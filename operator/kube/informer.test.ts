import type { V1ConfigMap } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock, flushAsync } from '../../test/support/fake-clock.ts';
import { FakeApiServer, FakeListWatch } from '../../test/support/fake-list-watch.ts';
import { collectionPath, LIST_PAGE_SIZE, listInPages, ResilientInformer } from './informer.ts';
import { silentKubeLogger } from './logger.ts';

function cm(name: string, data: Record<string, string> = {}, namespace = 'ns'): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

function setup(opts: { random?: () => number; resyncMs?: number; transform?: (o: V1ConfigMap) => V1ConfigMap } = {}) {
  const clock = new FakeClock();
  const server = new FakeApiServer<V1ConfigMap>();
  const sources: FakeListWatch<V1ConfigMap>[] = [];
  const registry = new Registry();
  const informer = new ResilientInformer<V1ConfigMap>({
    resource: 'configmaps',
    factory: () => {
      const lw = new FakeListWatch(server);
      sources.push(lw);
      return lw;
    },
    clock,
    random: opts.random ?? (() => 0),
    registry,
    logger: silentKubeLogger,
    resyncMs: opts.resyncMs ?? 0,
    transform: opts.transform,
  });
  const events: string[] = [];
  informer.addHandler({
    onAdd: (o) => events.push(`add ${o.metadata?.name}`),
    onUpdate: (o, old) => events.push(`${o === old ? 'resync' : 'update'} ${o.metadata?.name}`),
    onDelete: (o) => events.push(`delete ${o.metadata?.name}`),
  });
  return { clock, server, sources, registry, informer, events };
}

async function metric(registry: Registry, name: string): Promise<number | undefined> {
  return (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value;
}

describe('ResilientInformer', () => {
  it('transforms listed, watched and deleted objects before caching and handlers', async () => {
    const seen: V1ConfigMap[] = [];
    const { server, informer } = setup({
      transform: (o) => {
        delete o.data?.big;
        return o;
      },
    });
    informer.addHandler({ onAdd: (o) => seen.push(o), onUpdate: (o) => seen.push(o), onDelete: (o) => seen.push(o) });
    server.upsert(cm('a', { big: 'x'.repeat(1000), small: '1' }));
    informer.start();
    await informer.waitForSync();
    server.upsert(cm('b', { big: 'y', small: '2' }));
    server.upsert(cm('a', { big: 'z', small: '3' }));
    server.remove('ns/b');
    expect(informer.get('ns', 'a')?.data).toEqual({ small: '3' });
    expect(seen.map((o) => o.data)).toEqual([{ small: '1' }, { small: '2' }, { small: '3' }, { small: '2' }]);
  });

  it('lists, syncs and follows the watch', async () => {
    const { server, informer, events, registry, clock } = setup();
    server.upsert(cm('a'));
    expect(informer.hasSynced()).toBe(false);
    informer.start();
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    expect(await metric(registry, 'fluxora_informer_last_sync_timestamp_seconds')).toBe(clock.now() / 1000);
    server.upsert(cm('b'));
    server.upsert(cm('a', { k: 'v' }));
    server.remove('ns/b');
    expect(events).toEqual(['add a', 'add b', 'update a', 'delete b']);
    expect(informer.get('ns', 'a')?.data).toEqual({ k: 'v' });
    expect(informer.get('ns', 'b')).toBeUndefined();
    expect(informer.list('ns').map((o) => o.metadata?.name)).toEqual(['a']);
    expect(informer.list('other')).toEqual([]);
    await informer.stop();
  });

  it('restarts a failed informer with exponential backoff and resumes the watch without re-listing', async () => {
    const { server, informer, events, sources, clock, registry } = setup();
    server.upsert(cm('a'));
    informer.start();
    await informer.waitForSync();
    expect(server.lists).toBe(1);

    server.down = true;
    server.breakWatches(new Error('read ECONNRESET'));
    expect(informer.restarts()).toBe(1);

    const startsAt: number[] = [];
    const t0 = clock.now();
    for (let i = 0; i < 4; i++) {
      const before = sources[0].starts;
      const due = clock.nextDue() as number;
      await clock.advance(due - clock.now());
      expect(sources[0].starts).toBe(before + 1);
      startsAt.push(clock.now() - t0);
    }
    // 1 s, then 2 s, 4 s, 8 s after each failed attempt.
    expect(startsAt).toEqual([1000, 3000, 7000, 15000]);
    expect(informer.restarts()).toBe(5);
    expect(await metric(registry, 'fluxora_informer_restarts_total')).toBe(5);

    // The API server is back; a ConfigMap created meanwhile is seen on resume.
    server.down = false;
    server.upsert(cm('b'));
    await clock.advance(16_000);
    expect(sources).toHaveLength(1); // same ListWatch: resumed from its resourceVersion
    expect(server.lists).toBe(1); // no re-list
    expect(events).toEqual(['add a', 'add b']);
    server.upsert(cm('c'));
    expect(events).toEqual(['add a', 'add b', 'add c']);
    expect(clock.pending()).toBe(0);
    await informer.stop();
  });

  it('caps the backoff at 30 s, jitters it down, and starts over after a healthy spell', async () => {
    const { server, informer, sources, clock } = setup({ random: () => 1 });
    informer.start();
    await informer.waitForSync();
    server.down = true;
    server.breakWatches(new Error('EOF'));
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const due = (clock.nextDue() as number) - clock.now();
      delays.push(due);
      await clock.advance(due);
    }
    // base 1, 2, 4, 8, 16, 30, 30 s, less the 20 % jitter (random() = 1).
    expect(delays).toEqual([800, 1600, 3200, 6400, 12800, 24000, 24000]);
    server.down = false;
    await clock.advance(24_000);
    expect(sources[0].starts).toBe(9);
    await clock.advance(180_000);
    server.breakWatches(new Error('EOF'));
    expect((clock.nextDue() as number) - clock.now()).toBe(800);
    await informer.stop();
    expect(clock.pending()).toBe(0);
  });

  it('re-lists from a fresh ListWatch after 410 Gone and reports what changed meanwhile', async () => {
    const { server, informer, events, sources, clock } = setup();
    server.upsert(cm('keep'));
    server.upsert(cm('change'));
    server.upsert(cm('gone'));
    informer.start();
    await informer.waitForSync();
    events.length = 0;

    // Disconnected; meanwhile objects change and etcd compacts past our resourceVersion.
    server.breakWatches(new Error('unexpected EOF'));
    server.upsert(cm('change', { v: '2' }));
    server.remove('ns/gone');
    server.upsert(cm('new'));
    server.compactedBefore = server.rv;

    await clock.advance(1000); // resume from the old resourceVersion -> 410
    expect(sources).toHaveLength(1);
    expect(informer.restarts()).toBe(2);
    await clock.advance(2000); // fresh ListWatch, full list
    expect(sources).toHaveLength(2);
    expect(server.lists).toBe(2);
    expect(events.sort()).toEqual(['add new', 'delete gone', 'update change']);
    expect(informer.list().map((o) => o.metadata?.name).sort()).toEqual(['change', 'keep', 'new']);

    // The old ListWatch is detached: its events no longer reach the cache.
    server.upsert(cm('after'));
    expect(events).toContain('add after');
    expect(events.filter((e) => e === 'add after')).toHaveLength(1);
    await informer.stop();
  });

  it('replays every cached object to onUpdate each resync period', async () => {
    const { server, informer, events, clock } = setup({ resyncMs: 600_000 });
    server.upsert(cm('a'));
    server.upsert(cm('b'));
    informer.start();
    await informer.waitForSync();
    await clock.advance(599_999);
    expect(events).toEqual(['add a', 'add b']);
    await clock.advance(1);
    expect(events).toEqual(['add a', 'add b', 'resync a', 'resync b']);
    await clock.advance(600_000);
    expect(events).toHaveLength(6);
    await informer.stop();
    expect(clock.pending()).toBe(0);
  });

  it('maintains indexes and replays the cache to late handlers', async () => {
    const { server, informer } = setup();
    informer.addIndex('dataset', (o) => (o.data?.dataset ? [`ns/${o.data.dataset}`] : []));
    server.upsert(cm('fs1', { dataset: 'd1' }));
    server.upsert(cm('fs2', { dataset: 'd1' }));
    server.upsert(cm('fs3', { dataset: 'd2' }));
    informer.start();
    await informer.waitForSync();
    expect(informer.byIndex('dataset', 'ns/d1').map((o) => o.metadata?.name).sort()).toEqual(['fs1', 'fs2']);
    server.upsert(cm('fs2', { dataset: 'd2' }));
    server.remove('ns/fs3');
    expect(informer.byIndex('dataset', 'ns/d1').map((o) => o.metadata?.name)).toEqual(['fs1']);
    expect(informer.byIndex('dataset', 'ns/d2').map((o) => o.metadata?.name)).toEqual(['fs2']);
    expect(informer.byIndex('nope', 'x')).toEqual([]);

    const late: string[] = [];
    informer.addHandler({ onAdd: (o) => late.push(o.metadata?.name ?? '') });
    expect(late.sort()).toEqual(['fs1', 'fs2']);
    await informer.stop();
  });

  it('ignores errors after stop and does not restart', async () => {
    const { server, informer, clock, sources } = setup();
    informer.start();
    await informer.waitForSync();
    const lw = sources[0];
    await informer.stop();
    lw.fail(new Error('aborted'));
    await flushAsync();
    expect(informer.restarts()).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(server.watchers.size).toBe(0);
  });
});

describe('listInPages', () => {
  it('follows continue tokens, trims each page, and keeps the snapshot resourceVersion', async () => {
    const calls: Record<string, string | undefined>[] = [];
    const pages: Record<string, { items: V1ConfigMap[]; metadata: { resourceVersion: string; continue?: string } }> = {
      '': { items: [cm('a', { big: 'x' }), cm('b', { big: 'x' })], metadata: { resourceVersion: '100', continue: 't1' } },
      t1: { items: [cm('c', { big: 'x' })], metadata: { resourceVersion: '100', continue: '' } },
    };
    const api = {
      getJson: async <T>(_path: string, query?: Record<string, string | undefined>) => {
        calls.push(query ?? {});
        return pages[query?.continue ?? ''] as T;
      },
    };
    const list = await listInPages<V1ConfigMap>(api, '/api/v1/configmaps', 'app=x', (o) => {
      delete o.data?.big;
      return o;
    });
    expect(list.items.map((o) => [o.metadata?.name, o.data])).toEqual([['a', {}], ['b', {}], ['c', {}]]);
    expect(list.metadata?.resourceVersion).toBe('100');
    expect(calls).toEqual([
      { labelSelector: 'app=x', limit: String(LIST_PAGE_SIZE), continue: undefined },
      { labelSelector: 'app=x', limit: String(LIST_PAGE_SIZE), continue: 't1' },
    ]);
  });
});

describe('collectionPath', () => {
  it('builds core, grouped, namespaced and cluster-wide paths', () => {
    expect(collectionPath('v1', 'configmaps', 'ns')).toBe('/api/v1/namespaces/ns/configmaps');
    expect(collectionPath('fluxora.io/v1alpha1', 'trainingjobs')).toBe('/apis/fluxora.io/v1alpha1/trainingjobs');
  });
});
