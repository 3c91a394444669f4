import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ClientRateLimiter, configureClient } from './client.ts';
import { FakeClock, flushAsync } from '../../test/support/fake-clock.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData: Buffer.from(CA).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function authenticate(kc: KubeConfig): Promise<RequestContext> {
  const ctx = new RequestContext('https://127.0.0.1:6443/api/v1/pods', HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return ctx;
}

describe('ClientRateLimiter', () => {
  it('lets a burst through, then spaces requests at qps', async () => {
    const clock = new FakeClock();
    const limiter = new ClientRateLimiter({ qps: 10, burst: 3 }, clock);
    const done: number[] = [];
    const start = clock.now();
    for (let i = 0; i < 6; i++) void limiter.wait().then(() => done.push(clock.now() - start));
    await flushAsync();
    expect(done).toEqual([0, 0, 0]);
    await clock.advance(1000);
    expect(done).toEqual([0, 0, 0, 100, 200, 300]);
    expect(limiter.throttledMs()).toBe(600);
  });

  it('serves low-priority requests (events) only when no other request waits', async () => {
    const clock = new FakeClock();
    const limiter = new ClientRateLimiter({ qps: 10, burst: 1 }, clock);
    const order: string[] = [];
    await limiter.wait();
    void limiter.wait('low').then(() => order.push('event 1'));
    void limiter.wait().then(() => order.push('status 1'));
    void limiter.wait('low').then(() => order.push('event 2'));
    void limiter.wait().then(() => order.push('status 2'));
    await clock.advance(150);
    expect(order).toEqual(['status 1']);
    await clock.advance(1000);
    expect(order).toEqual(['status 1', 'status 2', 'event 1', 'event 2']);
    expect(limiter.waiting()).toBe(0);
  });

  it('refills the bucket while idle, up to the burst', async () => {
    const clock = new FakeClock();
    const limiter = new ClientRateLimiter({ qps: 2, burst: 2 }, clock);
    await limiter.wait();
    await limiter.wait();
    await clock.advance(10_000);
    let passed = 0;
    for (let i = 0; i < 3; i++) void limiter.wait().then(() => passed++);
    await flushAsync();
    expect(passed).toBe(2);
  });
});

describe('configureClient', () => {
  it('reuses one dispatcher (connection pool) for every request', async () => {
    const plain = kubeConfig();
    expect((await authenticate(plain)).getDispatcher()).not.toBe((await authenticate(plain)).getDispatcher());
    const kc = kubeConfig();
    configureClient(kc, { qps: -1, burst: 1 });
    const a = await authenticate(kc);
    const b = await authenticate(kc);
    expect(a.getDispatcher()).toBeDefined();
    expect(a.getDispatcher()).toBe(b.getDispatcher());
    expect(b.getHeaders().Authorization).toBe('Bearer secret-token');
  });

  it('builds a new dispatcher when the TLS settings change', async () => {
    const kc = kubeConfig();
    configureClient(kc, { qps: -1, burst: 1 });
    const a = (await authenticate(kc)).getDispatcher();
    kc.clusters[0] = { ...kc.clusters[0], caData: Buffer.from(`${CA}\n`).toString('base64') };
    const b = (await authenticate(kc)).getDispatcher();
    expect(b).not.toBe(a);
    expect((await authenticate(kc)).getDispatcher()).toBe(b);
  });

  it('makes every request wait for a token of one shared bucket, once however often applied', async () => {
    const clock = new FakeClock();
    const kc = kubeConfig();
    const limiter = configureClient(kc, { qps: 5, burst: 2 }, clock);
    expect(configureClient(kc, { qps: 1000, burst: 1000 }, clock)).toBe(limiter);
    let sent = 0;
    for (let i = 0; i < 4; i++) void authenticate(kc).then(() => sent++);
    await flushAsync();
    expect(sent).toBe(2);
    await clock.advance(200);
    expect(sent).toBe(3);
    await clock.advance(200);
    expect(sent).toBe(4);
  });

  it('never holds back leader election (Lease requests)', async () => {
    const clock = new FakeClock();
    const kc = kubeConfig();
    configureClient(kc, { qps: 1, burst: 1 }, clock);
    await authenticate(kc);
    let renewed = false;
    const ctx = new RequestContext('https://127.0.0.1:6443/apis/coordination.k8s.io/v1/namespaces/x/leases/op', HttpMethod.PUT);
    void kc.applySecurityAuthentication(ctx).then(() => {
      renewed = true;
    });
    await flushAsync();
    expect(renewed).toBe(true);
  });

  it('sends event writes at low priority', async () => {
    const clock = new FakeClock();
    const kc = kubeConfig();
    configureClient(kc, { qps: 10, burst: 1 }, clock);
    await authenticate(kc);
    const order: string[] = [];
    const event = new RequestContext('https://127.0.0.1:6443/apis/events.k8s.io/v1/namespaces/ml/events', HttpMethod.POST);
    void kc.applySecurityAuthentication(event).then(() => order.push('event'));
    void authenticate(kc).then(() => order.push('list'));
    await clock.advance(300);
    expect(order).toEqual(['list', 'event']);
  });

  it('sends at once when the limit is off', async () => {
    const kc = kubeConfig();
    expect(configureClient(kc, { qps: 0, burst: 1 })).toBeUndefined();
    await Promise.all(Array.from({ length: 100 }, () => authenticate(kc)));
  });
});
