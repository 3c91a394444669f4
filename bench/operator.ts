/**
 * bench:operator: the operator against a real control plane (no pods run: the
 * scheduler leaves them Pending). In one run it measures
 *  (a) the time for N TrainingJobs to each get their Job and a status, and the
 *      operator's write requests per resource (from the apiserver audit log);
 *  (b) the same measure for kube-controller-manager's Job controller creating
 *      the pods of N Jobs (the baseline; ratio = a / b, below 1 is faster);
 *  (c) the operator's resident memory with 5,000 resources in its caches.
 * Prints a summary and ends with one JSON line.
 *   node bench/operator.ts [--jobs 500] [--resources 5000]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CLIENT_LIMITS } from '../operator/kube/client.ts';
import { OPERATOR_ENV } from '../operator/process-env.ts';
import { CLI, installOperatorAccess, ROOT } from '../test/e2e/harness/cluster.ts';
import { type ControlPlane, startControlPlane } from '../test/e2e/harness/control-plane.ts';
import { createInChunks, docs, must, rssMb, until } from './kube-kit.ts';
import { startNodeAgent } from '../test/e2e/harness/node-agent.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '500' },
    resources: { type: 'string', default: '5000' },
    qps: { type: 'string', default: String(DEFAULT_CLIENT_LIMITS.qps) },
    burst: { type: 'string', default: String(DEFAULT_CLIENT_LIMITS.burst) },
  },
});
const N = Number(values.jobs);
const TOTAL = Number(values.resources);
const QPS = Number(values.qps);
const BURST = Number(values.burst);



const count = async (cp: ControlPlane, args: string[]) => (await must(cp, ['get', ...args, '-o', 'name'])).split('\n').filter(Boolean).length;




const cp = await startControlPlane({ controllerManagerArgs: [`--kube-api-qps=${QPS}`, `--kube-api-burst=${BURST}`] });
let operatorPid = 0;
try {
  const kubeconfig = await installOperatorAccess(cp, cp.tmpDir);
  for (const ns of ['bench', 'bench-jobs']) await must(cp, ['create', 'namespace', ns]);
  await must(cp, ['create', 'secret', 'generic', 'fluxora-db', '-n', 'bench', '--from-literal=uri=postgresql://unused']);
  await must(cp, ['apply', '-n', 'bench', '-f', '-'], 'apiVersion: fluxora.io/v1alpha1\nkind: Dataset\nmetadata: {name: d}\nspec:\n  source: {csv: {path: data/grid-load.csv}}\n  columns: [{name: load}, {name: temperature}]\n---\napiVersion: fluxora.io/v1alpha1\nkind: FeatureSet\nmetadata: {name: f}\nspec:\n  datasetRef: {name: d}\n  target: load\n');
  // A node runs only the profiling pod; then it leaves, so the measured Jobs' pods stay Pending.
  const agent = await startNodeAgent({ kubeconfigPath: cp.kubeconfigPath, image: 'fluxora:bench', cli: CLI, cwd: ROOT });
  // As the image: the compile cache holds the operator's modules before it starts.
  await new Promise((resolve) => spawn(process.execPath, [CLI, 'operator', '--help'], { stdio: 'ignore' }).once('exit', resolve));
  const operator = spawn(process.execPath, [CLI, 'operator', '--kubeconfig', kubeconfig, '--leader-elect=false', '--health-port', '0', '--namespace', 'bench', '--workers', '4', '--image', 'fluxora:bench', '--data-dir', 'examples/energy-forecast', '--kube-api-qps', String(QPS), '--kube-api-burst', String(BURST)], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, FLUXORA_LOG_LEVEL: 'warn', ...OPERATOR_ENV },
  });
  operatorPid = operator.pid ?? 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb(operatorPid));
  }, 1000);
  await until('the FeatureSet to be Ready', async () => (await must(cp, ['get', 'featuresets', 'f', '-n', 'bench', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 120_000);
  await agent.stop({ deletePods: true, deleteNode: true });
  await until('the FeatureSet to be Ready', async () => (await must(cp, ['get', 'featuresets', 'f', '-n', 'bench', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True', 60_000);

  // (a) the operator: N TrainingJobs -> N Jobs, each with a status.
  const auditBefore = readFileSync(cp.auditLogPath, 'utf8').split('\n').length;
  const tjs = docs(N, (i) => ({ apiVersion: 'fluxora.io/v1alpha1', kind: 'TrainingJob', metadata: { name: `tj-${i}`, namespace: 'bench' }, spec: { featureSetRef: { name: 'f' }, model: { algorithm: 'linear' }, registry: { model: `m${i}` } } }));
  const startA = performance.now();
  await createInChunks(cp, tjs);
  await until(
    `${N} training Jobs and statuses`,
    async () => {
      const jobs = await count(cp, ['jobs', '-n', 'bench', '-l', 'app.kubernetes.io/component=train']);
      if (jobs < N) return false;
      const phases = (await must(cp, ['get', 'trainingjobs', '-n', 'bench', '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}'])).split('\n').filter(Boolean);
      return phases.length === N;
    },
    900_000,
  );
  const operatorSeconds = (performance.now() - startA) / 1000;
  const operatorWrites = () =>
    readFileSync(cp.auditLogPath, 'utf8')
      .split('\n')
      .slice(auditBefore)
      .filter((l) => l.includes('"username":"system:serviceaccount:fluxora-system:fluxora-operator"') && l.includes('"stage":"ResponseComplete"'));
  const writesInWindow = operatorWrites().length;
  // Every write the TrainingJobs cause, including events sent after the measured
  // window (they wait behind other requests): count once the operator is quiet for 5 s.
  let writeLines = operatorWrites();
  for (let quietSince = Date.now(); Date.now() - quietSince < 5000; ) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = operatorWrites();
    if (now.length !== writeLines.length) quietSince = Date.now();
    writeLines = now;
  }
  const writes = writeLines.length;
  // Which writes: verb resource[/subresource] -> count.
  const byKind = new Map<string, number>();
  for (const line of writeLines) {
    const e = JSON.parse(line) as { verb: string; objectRef?: { resource?: string; subresource?: string } };
    const k = `${e.verb} ${e.objectRef?.resource ?? '?'}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}`;
    byKind.set(k, (byKind.get(k) ?? 0) + 1);
  }

  // (b) the baseline: kube-controller-manager's Job controller creating the pods of N Jobs.
  const jobs = docs(N, (i) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `job-${i}`, namespace: 'bench-jobs' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
  }));
  const startB = performance.now();
  await createInChunks(cp, jobs);
  await until(`${N} pods of the Job controller`, async () => (await count(cp, ['pods', '-n', 'bench-jobs'])) >= N, 900_000);
  const jobControllerSeconds = (performance.now() - startB) / 1000;

  // (c) memory with TOTAL resources: the rest as FeatureSets (status only, no children).
  const rest = Math.max(0, TOTAL - N - 2);
  await createInChunks(cp, docs(rest, (i) => ({ apiVersion: 'fluxora.io/v1alpha1', kind: 'FeatureSet', metadata: { name: `fs-${i}`, namespace: 'bench' }, spec: { datasetRef: { name: 'd' }, target: 'load' } })));
  await until(
    `${rest} FeatureSet statuses`,
    async () => (await must(cp, ['get', 'featuresets', '-n', 'bench', '-o', 'jsonpath={range .items[*]}{.status.observedGeneration}{"\\n"}{end}'])).split('\n').filter(Boolean).length >= rest + 1,
    900_000,
  );
  // Settled: once the operator has been quiet (no write for 5 s; its events trail the statuses).
  for (let quietSince = Date.now(), n = operatorWrites().length; Date.now() - quietSince < 5000; ) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = operatorWrites().length;
    if (now !== n) quietSince = Date.now();
    n = now;
  }
  await new Promise((r) => setTimeout(r, 3000));
  const rss = rssMb(operatorPid);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rss);
  const ratio = operatorSeconds / jobControllerSeconds;
  process.stdout.write(
    `client limits (operator and kube-controller-manager): --kube-api-qps=${QPS} --kube-api-burst=${BURST}\n` +
      `operator: ${N} TrainingJobs -> Jobs + status in ${operatorSeconds.toFixed(1)} s (${(N / operatorSeconds).toFixed(1)}/s), ${(writes / N).toFixed(2)} writes per resource (${[...byKind].map(([k, n]) => `${k} ${(n / N).toFixed(2)}`).join(', ')}; ${(writesInWindow / N).toFixed(2)} within the measured time)\n` +
      `kube-controller-manager Job controller: ${N} Jobs -> pods in ${jobControllerSeconds.toFixed(1)} s (${(N / jobControllerSeconds).toFixed(1)}/s)\n` +
      `ratio operator/job-controller ${ratio.toFixed(2)} (<= 1 is at least as fast); operator RSS with ${TOTAL} resources: ${rss.toFixed(0)} MB settled (goal < 150), peak ${peakRss.toFixed(0)} MB\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'operator',
      ratio: Number(ratio.toFixed(3)),
      tj_seconds: Number(operatorSeconds.toFixed(2)),
      job_controller_seconds: Number(jobControllerSeconds.toFixed(2)),
      qps: QPS,
      burst: BURST,
      writes_per_resource: Number((writes / N).toFixed(2)),
      writes_per_resource_in_window: Number((writesInWindow / N).toFixed(2)),
      [`rss_mb_${TOTAL}`]: Math.round(rss),
      rss_peak_mb: Math.round(peakRss),
      jobs: N,
    })}\n`,
  );
  operator.kill('SIGTERM');
} finally {
  if (operatorPid) {
    try {
      process.kill(operatorPid, 'SIGKILL');
    } catch {}
  }
  await cp.stop();
}
