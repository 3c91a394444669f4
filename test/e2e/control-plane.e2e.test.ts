import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from './harness/control-plane.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function kubectlOk(cp: ControlPlane, args: string[], input?: string): Promise<string> {
  const r = await cp.kubectl(args, input);
  expect(r.code, `kubectl ${args.join(' ')} failed:\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('real control plane', () => {
  // No try/catch: if the binaries cannot be built or the control plane cannot
  // start, beforeAll throws and every test below fails (they are not skipped).
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('serves /readyz', async () => {
    expect((await kubectlOk(cp, ['get', '--raw', '/readyz'])).trim()).toBe('ok');
    expect(cp.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('runs all four components', () => {
    const pids = cp.pids();
    for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      expect(pids[name], name).toBeGreaterThan(0);
      expect(alive(pids[name]), `${name} alive`).toBe(true);
    }
  });

  it('stores and reads back a namespace and a ConfigMap', async () => {
    await kubectlOk(cp, ['create', 'namespace', 'e2e-smoke']);
    await kubectlOk(
      cp,
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'hello', namespace: 'e2e-smoke' },
        data: { greeting: 'hi from fluxora' },
      }),
    );
    const ns = JSON.parse(await kubectlOk(cp, ['get', 'namespace', 'e2e-smoke', '-o', 'json']));
    expect(ns.status.phase).toBe('Active');
    const cm = JSON.parse(await kubectlOk(cp, ['get', 'configmap', 'hello', '-n', 'e2e-smoke', '-o', 'json']));
    expect(cm.data.greeting).toBe('hi from fluxora');
  });

  it('has a working controller-manager (default service account and root CA are created)', async () => {
    const deadline = Date.now() + 60_000;
    let last = '';
    while (Date.now() < deadline) {
      const sa = await cp.kubectl(['get', 'serviceaccount', 'default', '-n', 'e2e-smoke', '-o', 'name']);
      const ca = await cp.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'e2e-smoke', '-o', 'name']);
      if (sa.code === 0 && ca.code === 0) return;
      last = `${sa.stderr}${ca.stderr}`;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`controller-manager did not populate namespace e2e-smoke: ${last}`);
  });

  it('keeps data across an apiserver restart, on the same endpoint', async () => {
    const before = cp.pids()['kube-apiserver'];
    await cp.restartApiServer();
    const after = cp.pids()['kube-apiserver'];
    expect(after).toBeGreaterThan(0);
    expect(after).not.toBe(before);
    expect(alive(before)).toBe(false);
    expect((await kubectlOk(cp, ['get', '--raw', '/readyz'])).trim()).toBe('ok');
    const cm = JSON.parse(await kubectlOk(cp, ['get', 'configmap', 'hello', '-n', 'e2e-smoke', '-o', 'json']));
    expect(cm.data.greeting).toBe('hi from fluxora');
  });

  it('stop() leaves no process and no temp dir behind', async () => {
    const pids = Object.values(cp.pids());
    expect(pids.length).toBeGreaterThanOrEqual(4);
    const tmpDir = cp.tmpDir;
    await cp.stop();
    for (const pid of pids) expect(alive(pid), `pid ${pid} still alive`).toBe(false);
    expect(existsSync(tmpDir)).toBe(false);
    // stop() is idempotent
    await cp.stop();
  });
});
