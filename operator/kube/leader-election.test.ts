import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.ts';
import { FakeLeaseBackend } from '../../test/support/fake-lease-store.ts';
import { LeaderElector } from './leader-election.ts';
import type { LeaseStore } from './lease-store.ts';
import { silentKubeLogger } from './logger.ts';
import { parseMicroTime } from './micro-time.ts';

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function candidate(clock: FakeClock, identity: string, store: LeaseStore & { down?: boolean }, registry = new Registry()) {
  const events: string[] = [];
  const elector = new LeaderElector({
    store,
    identity,
    clock,
    random: () => 0.5,
    registry,
    logger: silentKubeLogger,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: (reason) => events.push(`stopped:${reason}`),
  });
  return { elector, events, store };
}

/** advanceUntil steps time by 100 ms until `done()` holds, checking `invariant` at each step; returns the elapsed ms. */
async function advanceUntil(clock: FakeClock, done: () => boolean, limitMs: number, invariant = () => {}): Promise<number> {
  const start = clock.now();
  while (!done()) {
    if (clock.now() - start > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await clock.advance(100);
    invariant();
  }
  return clock.now() - start;
}

describe('LeaderElector', () => {
  it('acquires a free lease at once, with MicroTime stamps, and renews it every retry period', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 26, 11, 22, 33) + 123.456);
    const backend = new FakeLeaseBackend();
    const registry = new Registry();
    const a = candidate(clock, 'a', backend.view(), registry);
    a.elector.run();
    await clock.advance(0);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.events).toEqual(['started']);
    const first = backend.lease?.record;
    expect(first).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-26T11:22:33.123456Z',
      renewTime: '2026-11-26T11:22:33.123456Z',
      leaseTransitions: 0,
    });
    await clock.advance(2000);
    const second = backend.lease?.record;
    expect(second?.acquireTime).toBe(first?.acquireTime);
    expect(second?.renewTime).toMatch(MICRO_TIME);
    expect((parseMicroTime(second?.renewTime) as number) - (parseMicroTime(first?.renewTime) as number)).toBeCloseTo(2000, 3);
    expect(backend.writes).toHaveLength(2);
    const status = (await registry.getMetricsAsJSON()).find((m) => m.name === 'leader_election_master_status');
    expect(status?.values[0]?.value).toBe(1);
    await a.elector.stop();
  });

  it('lets exactly one of two candidates lead while the leader renews', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const a = candidate(clock, 'a', backend.view());
    const b = candidate(clock, 'b', backend.view());
    a.elector.run();
    b.elector.run();
    for (let i = 0; i < 600; i++) {
      await clock.advance(100);
      expect(Number(a.elector.isLeader()) + Number(b.elector.isLeader())).toBe(1);
    }
    expect(a.elector.isLeader()).toBe(true);
    expect(b.events).toEqual([]);
    expect(b.elector.leader()).toBe('a');
    expect(backend.lease?.record.leaseTransitions).toBe(0);
    await a.elector.stop();
    await b.elector.stop();
  });

  it('hands a released lease over on the next retry and counts the transition', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const a = candidate(clock, 'a', backend.view());
    const b = candidate(clock, 'b', backend.view());
    a.elector.run();
    await clock.advance(0);
    b.elector.run();
    await clock.advance(10_000);
    await a.elector.stop();
    expect(a.events).toEqual(['started', 'stopped:stopped']);
    expect(backend.lease?.record.holderIdentity).toBe('');
    expect(backend.lease?.record.leaseDurationSeconds).toBe(1);
    const handover = await advanceUntil(clock, () => b.elector.isLeader(), 20_000);
    // b retries every 2 s × (1 + 1.2 × 0.5) = 3.2 s.
    expect(handover).toBeLessThanOrEqual(3200);
    expect(backend.lease?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, leaseDurationSeconds: 15 });
    await b.elector.stop();
  });

  it('takes a crashed leader\'s lease over only once it expired on the candidate\'s clock', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const a = candidate(clock, 'a', backend.view());
    const b = candidate(clock, 'b', backend.view());
    a.elector.run();
    await clock.advance(0);
    b.elector.run();
    await clock.advance(5000);
    await a.elector.stop({ release: false }); // a crash: no release
    const lastRenew = parseMicroTime(backend.lease?.record.renewTime) as number;
    await advanceUntil(clock, () => b.elector.isLeader(), 30_000);
    const takeover = clock.now() - lastRenew;
    expect(takeover).toBeGreaterThanOrEqual(15_000);
    // b first sees a's last renewal on its next retry (<= 3.2 s later), and acts on expiry on the retry after.
    expect(takeover).toBeLessThanOrEqual(15_000 + 2 * 3200 + 100);
    expect(backend.lease?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.elector.stop();
  });

  it('makes a partitioned leader step down after the renew deadline, before anyone else can lead', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const a = candidate(clock, 'a', backend.view());
    const b = candidate(clock, 'b', backend.view());
    a.elector.run();
    await clock.advance(0);
    b.elector.run();
    await clock.advance(4000);
    (a.store as { down: boolean }).down = true;
    const lastRenew = a.elector.lastRenewTime();
    const neverTwo = () => expect(a.elector.isLeader() && b.elector.isLeader()).toBe(false);
    await advanceUntil(clock, () => !a.elector.isLeader(), 20_000, neverTwo);
    const stepDown = clock.now() - lastRenew;
    expect(stepDown).toBeGreaterThanOrEqual(10_000);
    expect(stepDown).toBeLessThan(12_100);
    expect(a.events).toEqual(['started', 'stopped:lost']);
    await advanceUntil(clock, () => b.elector.isLeader(), 20_000, neverTwo);
    expect(clock.now() - lastRenew).toBeGreaterThanOrEqual(15_000);
    await b.elector.stop();
  });

  it('loses a write race with 409 Conflict and does not lead', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    backend.store({ holderIdentity: 'old', leaseDurationSeconds: 15, acquireTime: '', renewTime: 'r0', leaseTransitions: 4 });
    const store = backend.view();
    const read = store.get.bind(store);
    let interfere = false;
    store.get = async () => {
      const lease = await read();
      // Another candidate writes between our read and our write.
      if (interfere) {
        backend.store({ holderIdentity: 'c', leaseDurationSeconds: 15, acquireTime: 'c', renewTime: 'c1', leaseTransitions: 5 });
        interfere = false;
      }
      return lease;
    };
    const b = candidate(clock, 'b', store);
    b.elector.run();
    await clock.advance(14_000);
    expect(b.elector.isLeader()).toBe(false);
    interfere = true;
    await clock.advance(4000); // 'old' expired: b tries, and gets 409
    expect(b.elector.isLeader()).toBe(false);
    expect(backend.lease?.record.holderIdentity).toBe('c');
    expect(backend.writes.map((w) => w.holderIdentity)).toEqual(['old', 'c']); // b's write was rejected
    await clock.advance(3200);
    expect(b.elector.leader()).toBe('c'); // and the fresh record of c is respected
    expect(b.elector.isLeader()).toBe(false);
    await b.elector.stop();
  });

  it('steps down at once when another holder took the lease', async () => {
    const clock = new FakeClock();
    const backend = new FakeLeaseBackend();
    const a = candidate(clock, 'a', backend.view());
    a.elector.run();
    await clock.advance(0);
    backend.store({ holderIdentity: 'intruder', leaseDurationSeconds: 15, acquireTime: 'x', renewTime: 'y', leaseTransitions: 1 });
    await clock.advance(2000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(['started', 'stopped:lost']);
    expect(clock.pending()).toBe(0);
  });

  it('rejects a renew deadline that is not shorter than the lease', () => {
    expect(
      () =>
        new LeaderElector({
          store: new FakeLeaseBackend().view(),
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
          registry: new Registry(),
          logger: silentKubeLogger,
        }),
    ).toThrow(/renewDeadline/);
  });
});
