import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../loaded-model.ts';
import { buildTestApp, deferred, type TestApp } from '../../../test/support/serve-app.ts';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

function setup(...args: Parameters<typeof buildTestApp>): TestApp {
  current = buildTestApp(...args);
  return current;
}

const METADATA = {
  name: 'energy',
  versions: ['3'],
  platform: 'fluxora_forecast',
  inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [
    { name: 'forecast', datatype: 'FP32', shape: [-1, 3] },
    { name: 'lower', datatype: 'FP32', shape: [-1, 3] },
    { name: 'upper', datatype: 'FP32', shape: [-1, 3] },
  ],
};

describe('metadata routes', () => {
  it('GET /v2 answers the server metadata, before the model is ready too', async () => {
    const { app } = setup({ model: deferred<LoadedModel>().promise, serverName: 'fluxora-energy', serverVersion: '1.2.3' });
    const res = await app.inject({ url: '/v2' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: 'fluxora-energy', version: '1.2.3', extensions: [] });
  });

  it('GET /v2 defaults to the package name and version', async () => {
    const { app } = setup();
    const body = (await app.inject({ url: '/v2' })).json();
    expect(body.name).toBe('fluxora');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('GET /v2/models/{name} and /versions/{version} answer the model metadata', async () => {
    const { app } = setup();
    await app.fluxora.modelReady;
    for (const url of ['/v2/models/energy', '/v2/models/energy/versions/3']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual(METADATA);
    }
  });

  it('answers 404 for another model or version, 503 before the model is ready', async () => {
    const { app } = setup();
    await app.fluxora.modelReady;
    const model = await app.inject({ url: '/v2/models/solar' });
    expect(model.statusCode).toBe(404);
    expect(model.json()).toEqual({ error: 'Model "solar" not found' });
    const version = await app.inject({ url: '/v2/models/energy/versions/v3' });
    expect(version.statusCode).toBe(404);
    expect(version.json()).toEqual({ error: 'Model "energy" has no version "v3"' });

    const loading = setup({ model: deferred<LoadedModel>().promise });
    const early = await loading.app.inject({ url: '/v2/models/energy' });
    expect(early.statusCode).toBe(503);
    expect(early.headers['retry-after']).toBe('1');
    expect(early.json()).toEqual({ error: 'Model is not ready' });
    await app.close();
  });
});
