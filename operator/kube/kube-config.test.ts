import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubeconfigFlag, loadKubeConfig } from './kube-config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'fluxora-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, server: string): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${name}`,
      '  cluster:',
      `    server: ${server}`,
      'users:',
      `- name: ${name}`,
      '  user:',
      '    token: abc',
      'contexts:',
      `- name: ${name}`,
      '  context:',
      `    cluster: ${name}`,
      `    user: ${name}`,
      `current-context: ${name}`,
      '',
    ].join('\n'),
  );
  return file;
}

const a = kubeconfig('a', 'https://a.example:6443');
const b = kubeconfig('b', 'https://b.example:6443');
const none = { argv: [], env: {}, home: path.join(dir, 'no-home'), serviceAccountTokenPath: path.join(dir, 'no-token') };

describe('loadKubeConfig', () => {
  it('prefers an explicit path, then the flag, then KUBECONFIG', () => {
    expect(loadKubeConfig({ ...none, kubeconfig: a, argv: ['--kubeconfig', b] }).source).toBe('explicit');
    const flag = loadKubeConfig({ ...none, argv: ['node', 'main.ts', `--kubeconfig=${b}`], env: { KUBECONFIG: a } });
    expect(flag.source).toBe('flag');
    expect(flag.kubeConfig.getCurrentCluster()?.server).toBe('https://b.example:6443');
    const env = loadKubeConfig({ ...none, env: { KUBECONFIG: [a, b].join(path.delimiter) } });
    expect(env.source).toBe('KUBECONFIG');
    expect(env.files).toEqual([a, b]);
    expect(env.kubeConfig.getCurrentCluster()?.server).toBe('https://a.example:6443');
    expect(env.kubeConfig.getContexts().map((c) => c.name).sort()).toEqual(['a', 'b']);
  });

  it('falls back to ~/.kube/config and fails clearly when nothing is there', () => {
    expect(() => loadKubeConfig(none)).toThrow(/no Kubernetes configuration/);
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.kube'), { recursive: true });
    copyFileSync(a, path.join(home, '.kube', 'config'));
    const loaded = loadKubeConfig({ ...none, home });
    expect(loaded.source).toBe('home');
    expect(loaded.kubeConfig.getCurrentCluster()?.server).toBe('https://a.example:6443');
  });

  it('rejects a KUBECONFIG that names no file', () => {
    expect(() => loadKubeConfig({ ...none, env: { KUBECONFIG: path.join(dir, 'missing') } })).toThrow(/KUBECONFIG/);
  });
});

describe('kubeconfigFlag', () => {
  it('reads both flag forms', () => {
    expect(kubeconfigFlag(['--kubeconfig', '/x'])).toBe('/x');
    expect(kubeconfigFlag(['--kubeconfig=/y'])).toBe('/y');
    expect(kubeconfigFlag(['--other'])).toBeUndefined();
  });
});
