import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../loaded-model.ts';
import { buildTestApp, deferred, inferBody, type TestApp } from '../../../test/support/serve-app.ts';
import { createTestModel } from '../../../test/support/serve-model.ts';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

function setup(...args: Parameters<typeof buildTestApp>): TestApp {
  current = buildTestApp(...args);
  return current;
}

describe('health routes', () => {
  it('GET /v2/health/live answers 200 {"live": true}', async () => {
    const { app } = setup();
    const res = await app.inject({ url: '/v2/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ live: true });
  });

  it('is not ready until the model promise resolves and warmUp ran, then 200 {"ready": true}', async () => {
    const pending = deferred<LoadedModel>();
    const { app } = setup({ model: pending.promise });
    const before = await app.inject({ url: '/v2/health/ready' });
    expect(before.statusCode).toBe(503);
    expect(before.headers['retry-after']).toBe('1');
    expect(before.json()).toEqual({ error: 'Model is not ready' });
    expect((await app.inject({ url: '/v2/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v2/models/energy/ready' })).statusCode).toBe(503);
    const infer = await app.inject({ method: 'POST', url: '/v2/models/energy/infer', payload: inferBody([[1, 2, 3, 4]]) });
    expect(infer.statusCode).toBe(503);
    expect(infer.headers['retry-after']).toBe('1');
    expect(infer.json()).toEqual({ error: 'Model is not ready' });

    const model = createTestModel();
    let warmedBeforeReady = false;
    const warmUp = model.warmUp;
    model.warmUp = () => {
      warmUp();
      warmedBeforeReady = !app.fluxora.ready;
    };
    pending.resolve(model);
    await app.fluxora.modelReady;
    expect(warmedBeforeReady).toBe(true);
    expect(model.warmUps).toBe(1);
    const after = await app.inject({ url: '/v2/health/ready' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ ready: true });
  });

  it('when the model fails to load, liveness fails too (a restart may help) and readiness says why', async () => {
    const pending = deferred<LoadedModel>();
    const { app } = setup({ model: pending.promise });
    pending.reject(new Error('artifact checksum mismatch'));
    await expect(app.fluxora.modelReady).rejects.toThrow('artifact checksum mismatch');
    for (const url of ['/v2/health/live', '/v2/health/ready']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: 'Model failed to load: artifact checksum mismatch' });
    }
  });

  it('a model that breaks the contract never becomes ready', async () => {
    const broken = { ...createTestModel(), horizon: 0 };
    const { app } = setup({ model: broken });
    await expect(app.fluxora.modelReady).rejects.toThrow(/horizon/);
    expect((await app.inject({ url: '/v2/health/ready' })).statusCode).toBe(503);
  });

  it('GET /v2/models/{name}[/versions/{v}]/ready answers {name, ready} for the served model, 404 otherwise', async () => {
    const { app } = setup();
    await app.fluxora.modelReady;
    for (const url of ['/v2/models/energy/ready', '/v2/models/energy/versions/3/ready']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ name: 'energy', ready: true });
    }
    const unknown = await app.inject({ url: '/v2/models/solar/ready' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'Model "solar" not found' });
    const version = await app.inject({ url: '/v2/models/energy/versions/4/ready' });
    expect(version.statusCode).toBe(404);
    expect(version.json()).toEqual({ error: 'Model "energy" has no version "4"' });
  });

  it('draining turns readiness off while requests are still served', async () => {
    const { app } = setup();
    await app.fluxora.modelReady;
    app.fluxora.startDraining();
    const ready = await app.inject({ url: '/v2/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ error: 'Server is shutting down' });
    expect((await app.inject({ url: '/v2/models/energy/ready' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/v2/health/live' })).statusCode).toBe(200);
    const infer = await app.inject({ method: 'POST', url: '/v2/models/energy/infer', payload: inferBody([[1, 2, 3, 4]]) });
    expect(infer.statusCode).toBe(200);
  });
});
