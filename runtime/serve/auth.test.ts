import { afterEach, describe, expect, it } from 'vitest';
import { createApiKeyCheck } from './auth.ts';
import { buildTestApp, inferBody, logCapture, type TestApp } from '../../test/support/serve-app.ts';

const KEY = 's3cr3t-key-0123456789';
const OTHER = 'another-key';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function setup(...args: Parameters<typeof buildTestApp>): Promise<TestApp> {
  current = buildTestApp(...args);
  await current.app.fluxora.modelReady;
  return current;
}

const PROTECTED = [
  { method: 'POST' as const, url: '/v2/models/energy/infer', payload: inferBody([[1, 2, 3, 4]]) },
  { method: 'POST' as const, url: '/v2/models/energy/versions/3/infer', payload: inferBody([[1, 2, 3, 4]]) },
  {
    method: 'POST' as const,
    url: '/v1/forecast',
    payload: {
      timestamps: ['2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', '2024-01-01T02:00:00Z'],
      target: [1, 2, 3],
      covariates: { temperature: [1, 2, 3] },
      futureCovariates: { temperature: [1, 2, 3] },
    },
  },
  { method: 'GET' as const, url: '/v2' },
  { method: 'GET' as const, url: '/v2/models/energy' },
  { method: 'GET' as const, url: '/v2/models/energy/versions/3' },
];

describe('API-key auth', () => {
  it.each(PROTECTED)('$method $url needs a key: 401 with WWW-Authenticate without one', async (request) => {
    const { app } = await setup({ auth: { apiKeys: [KEY] } });
    const res = await app.inject(request);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({ error: 'Missing API key: send authorization: Bearer KEY or x-api-key: KEY' });
  });

  it.each(PROTECTED)('$method $url refuses a wrong key and accepts a right one in either header', async (request) => {
    const { app } = await setup({ auth: { apiKeys: [OTHER, KEY] } });
    for (const headers of [{ authorization: 'Bearer wrong' }, { 'x-api-key': 'wrong' }, { authorization: `Basic ${KEY}` }, { authorization: `Bearer ${KEY}x` }]) {
      const res = await app.inject({ ...request, headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toEqual({ error: 'Invalid API key' });
    }
    for (const headers of [{ authorization: `Bearer ${KEY}` }, { authorization: `bearer ${OTHER}` }, { 'x-api-key': KEY }]) {
      const res = await app.inject({ ...request, headers });
      expect(res.statusCode).toBe(200);
    }
  });

  it('leaves health probes and /metrics open', async () => {
    const { app } = await setup({ auth: { apiKeys: [KEY] } });
    for (const url of ['/v2/health/live', '/v2/health/ready', '/v2/models/energy/ready', '/v2/models/energy/versions/3/ready', '/metrics']) {
      expect((await app.inject({ url })).statusCode).toBe(200);
    }
  });

  it('checks the key before reading the body or the model state', async () => {
    const { app, model } = await setup({ auth: { apiKeys: [KEY] } });
    const calls = model.calls.length;
    const res = await app.inject({ method: 'POST', url: '/v2/models/energy/infer', payload: '{not json', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(model.calls.length).toBe(calls);
  });

  it('never writes a key to the logs', async () => {
    const logs = logCapture();
    const { app } = await setup({ auth: { apiKeys: [KEY] }, logger: { level: 'trace', stream: logs.stream } });
    await app.inject({ ...PROTECTED[0], headers: { authorization: `Bearer ${KEY}` } });
    await app.inject({ ...PROTECTED[0], headers: { 'x-api-key': `${KEY}-wrong` } });
    expect(logs.lines().some((line) => line.msg === 'Request completed')).toBe(true);
    expect(logs.text()).not.toContain(KEY);
  });

  it('refuses a configuration without usable keys', () => {
    expect(() => createApiKeyCheck({ apiKeys: [] })).toThrow(/at least one key/);
    expect(() => createApiKeyCheck({ apiKeys: [''] })).toThrow(/apiKeys\[0\]/);
  });

  it('refuses over-long keys without hashing them', () => {
    const check = createApiKeyCheck({ apiKeys: [KEY] });
    expect(() => check.check({ 'x-api-key': 'k'.repeat(100_000) })).toThrow('Invalid API key');
    expect(() => check.check({ 'x-api-key': KEY })).not.toThrow();
  });
});
