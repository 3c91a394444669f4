/**
 * The operator's resident memory with many resources, for comparing variants
 * in one run (memory levers: code versions, Node/V8 flags). One control plane
 * gets N TrainingJobs (each gets its Job; its pod stays Pending) and the rest
 * as FeatureSets; then each variant's operator starts in turn against the same
 * objects, lists, reconciles everything (statuses are already written, so it
 * mostly reads), and its RSS is sampled once it has been idle for a while.
 *   node bench/operator-memory.ts [--jobs 500] [--resources 5000] [--variant 'NAME=DIR[ NODE-FLAGS...]' ...]
 * DIR is a checkout of the repository (its bin/fluxora.mjs runs, after
 * `operator --help` warmed its compile cache, as the image does); words
 * NAME=VALUE are environment variables. The default variant is this checkout
 * with no flags. Ends with one JSON line.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLI, installOperatorAccess, ROOT } from '../test/e2e/harness/cluster.ts';
import { startControlPlane } from '../test/e2e/harness/control-plane.ts';
import { createInChunks, docs, must, rssMb, until } from './kube-kit.ts';
import { startNodeAgent } from '../test/e2e/harness/node-agent.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '500' },
    resources: { type: 'string', default: '5000' },
    variant: { type: 'string', multiple: true, default: [`current=${ROOT}`] },
    'settle-seconds': { type: 'string', default: '45' },
  },
});
const N = Number(values.jobs);
const TOTAL = Number(values.resources);
const SETTLE_MS = Number(values['settle-seconds']) * 1000;
const variants = (values.variant as string[]).map((v) => {
  const [name, rest] = [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)];
  const [dir, ...words] = rest.split(' ').filter(Boolean);
  // NAME=VALUE words are environment variables, the others Node flags.
  const env = Object.fromEntries(words.filter((w) => !w.startsWith('-') && w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { name, dir: path.resolve(dir), flags: words.filter((w) => w.startsWith('-')), env };
});






/** The operator's flags; an older checkout without a client rate limit gets none (it had no limit). */
const operatorArgs = (kubeconfig: string, dir = ROOT) => [
  'operator', '--kubeconfig', kubeconfig, '--leader-elect=false', '--health-port', '0', '--namespace', 'bench', '--workers', '4', '--image', 'fluxora:bench', '--data-dir', 'examples/energy-forecast',
  ...(readFileSync(path.join(dir, 'cli/operator.ts'), 'utf8').includes('kube-api-qps') ? ['--kube-api-qps', '1000', '--kube-api-burst', '1000'] : []),
];

const cp = await startControlPlane({ controllerManagerArgs: ['--kube-api-qps=1000', '--kube-api-burst=1000'] });
const results: Record<string, number> = {};
try {
  const kubeconfig = await installOperatorAccess(cp, cp.tmpDir);
  await must(cp, ['create', 'namespace', 'bench']);
  await must(cp, ['create', 'secret', 'generic', 'fluxora-db', '-n', 'bench', '--from-literal=uri=postgresql://unused']);
  await must(cp, ['apply', '-n', 'bench', '-f', '-'], 'apiVersion: fluxora.io/v1alpha1\nkind: Dataset\nmetadata: {name: d}\nspec:\n  source: {csv: {path: data/grid-load.csv}}\n  columns: [{name: load}, {name: temperature}]\n---\napiVersion: fluxora.io/v1alpha1\nkind: FeatureSet\nmetadata: {name: f}\nspec:\n  datasetRef: {name: d}\n  target: load\n');
  const agent = await startNodeAgent({ kubeconfigPath: cp.kubeconfigPath, image: 'fluxora:bench', cli: CLI, cwd: ROOT });
  // The first operator (this checkout, no limits) builds the state every variant then reads.
  const builder = spawn(process.execPath, [CLI, ...operatorArgs(kubeconfig)], { stdio: 'ignore', env: { ...process.env, FLUXORA_LOG_LEVEL: 'warn' } });
  try {
    await until('the FeatureSet to be Ready', async () => (await must(cp, ['get', 'featuresets', 'f', '-n', 'bench', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 180_000, 500);
    await agent.stop({ deletePods: true, deleteNode: true });
    await createInChunks(cp, docs(N, (i) => ({ apiVersion: 'fluxora.io/v1alpha1', kind: 'TrainingJob', metadata: { name: `tj-${i}`, namespace: 'bench' }, spec: { featureSetRef: { name: 'f' }, model: { algorithm: 'linear' }, registry: { model: `m${i}` } } })));
    await createInChunks(cp, docs(Math.max(0, TOTAL - N - 2), (i) => ({ apiVersion: 'fluxora.io/v1alpha1', kind: 'FeatureSet', metadata: { name: `fs-${i}`, namespace: 'bench' }, spec: { datasetRef: { name: 'd' }, target: 'load' } })));
    await until(
      'every status and Job',
      async () => {
        const gens = (kind: string) => must(cp, ['get', kind, '-n', 'bench', '-o', 'jsonpath={range .items[*]}{.status.observedGeneration}{"\\n"}{end}']);
        const n = (await gens('featuresets')).split('\n').filter(Boolean).length + (await gens('trainingjobs')).split('\n').filter(Boolean).length;
        const pods = (await must(cp, ['get', 'pods', '-n', 'bench', '-o', 'name'])).split('\n').filter(Boolean).length;
        return n >= TOTAL - 1 && pods >= N;
      },
      1_800_000,
      500,
    );
  } finally {
    builder.kill('SIGKILL');
  }
  process.stderr.write(`state ready: ${N} TrainingJobs with Jobs and pods, ${TOTAL} resources\n`);

  for (const v of variants) {
    const cli = path.join(v.dir, 'bin/fluxora.mjs');
    const env = { ...process.env, FLUXORA_LOG_LEVEL: 'warn', ...v.env };
    await new Promise((resolve) => spawn(process.execPath, [...v.flags, cli, 'operator', '--help'], { stdio: 'ignore', env }).once('exit', resolve));
    const child = spawn(process.execPath, [...v.flags, cli, ...operatorArgs(kubeconfig, v.dir)], { cwd: v.dir, stdio: 'ignore', env });
    const pid = child.pid ?? 0;
    let peak = 0;
    const started = Date.now();
    while (Date.now() - started < SETTLE_MS) {
      await new Promise((r) => setTimeout(r, 1000));
      peak = Math.max(peak, rssMb(pid));
    }
    const rss = rssMb(pid);
    results[v.name] = Math.round(rss);
    process.stdout.write(`${v.name.padEnd(24)} RSS ${rss.toFixed(0)} MB after ${SETTLE_MS / 1000} s (peak ${peak.toFixed(0)} MB)  ${[...v.flags, ...Object.entries(v.env).map(([k, val]) => `${k}=${val}`)].join(' ')}\n`);
    child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
  }
  process.stdout.write(`${JSON.stringify({ bench: 'operator-memory', resources: TOTAL, jobs: N, rss_mb: results })}\n`);
} finally {
  await cp.stop();
}
