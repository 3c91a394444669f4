import { createServer } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KubeTokenAuth } from './console.ts';

/** closedPort is a loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'operator-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

// Reviews the API server answers are tested end to end (test/e2e/operator.e2e.test.ts); these are the answers without one.
describe('KubeTokenAuth without an API server', () => {
  it('asks for a Kubernetes token when none is sent, without calling the API', async () => {
    const auth = new KubeTokenAuth(kubeConfig(`https://127.0.0.1:${await closedPort()}`));
    const result = await auth.authenticate(undefined);
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(result.ok === false && result.message).toMatch(/kubectl create token/);
  });

  it('answers 503 with the cause when the token cannot be reviewed, and asks again next time (not cached)', async () => {
    const port = await closedPort();
    const auth = new KubeTokenAuth(kubeConfig(`https://127.0.0.1:${port}`));
    for (let i = 0; i < 2; i++) {
      const result = await auth.authenticate('some-token');
      expect(result).toMatchObject({ ok: false, status: 503 });
      expect(result.ok === false && result.message).toMatch(/Cannot check the token with the Kubernetes API .*ECONNREFUSED/);
    }
  });
});
