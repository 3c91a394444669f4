/**
 * Training throughput per TensorFlow.js backend, through the same `trainModel` the
 * train role runs. For each backend that initialises here (cpu, wasm, and
 * tensorflow when @tensorflow/tfjs-node is installed) it trains
 *
 * - the reference MLP: 50,000 x 32 rows, 32 -> 64 relu -> 1, batch 256, 5 epochs;
 * - a forecaster-shaped MLP: 8,000 x 96 rows, 96 -> 64 relu -> 24, batch 128, 3 epochs.
 *
 * It prints samples/s at steady state, over the epochs after the first (so model
 * build and warm-up are excluded): from the fastest such epoch (`_sps`, the
 * figure least disturbed when the machine is shared, since sharing only slows),
 * their mean, and per CPU-second of this process (`_cpu_sps`); then the wasm/cpu
 * ratios, and last ONE JSON line for tooling.
 * Reference (../shared/data/README.md, a 2-core machine of this kind): TF.js 4.22
 * MLP 5 epochs, wasm 1.50 s, pure-JS cpu 4.65 s (ratio 3.1).
 *
 * Run: node bench/train.ts
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { type BackendName, useBackend } from '../runtime/models/backend.ts';
import type { ModelConfig } from '../runtime/models/config.ts';
import { seededGaussian, seededRandom } from '../runtime/models/random.ts';
import { trainModel } from '../runtime/models/train.ts';

const REFERENCE_MLP_5_EPOCHS_S = { wasm: 1.5, cpu: 4.65 };

interface Workload {
  name: 'mlp' | 'mlp24';
  config: ModelConfig;
  rows: number;
  nInputs: number;
  horizon: number;
}

interface Measurement {
  /** Wall time of the whole run, model build and first epoch included. */
  totalSeconds: number;
  /** Training samples per wall second in the fastest epoch after the first. */
  samplesPerSecond: number;
  /** Training samples per wall second over all epochs after the first. */
  meanSamplesPerSecond: number;
  /** Training samples per CPU second of this process over the same epochs. */
  samplesPerCpuSecond: number;
  finalLoss: number;
}

const WORKLOADS: Workload[] = [
  {
    name: 'mlp',
    config: { type: 'mlp', hiddenUnits: [64], epochs: 5, batchSize: 256 },
    rows: 50_000,
    nInputs: 32,
    horizon: 1,
  },
  {
    name: 'mlp24',
    config: { type: 'mlp', hiddenUnits: [64], epochs: 3, batchSize: 128 },
    rows: 8_000,
    nInputs: 96,
    horizon: 24,
  },
];

/** syntheticData makes seeded scaled rows whose targets depend on the inputs, so the loss has something to fall on. */
function syntheticData(workload: Workload): { X: Float32Array; Y: Float32Array } {
  const gaussian = seededGaussian(seededRandom(42));
  const X = new Float32Array(workload.rows * workload.nInputs);
  for (let i = 0; i < X.length; i++) X[i] = gaussian();
  const Y = new Float32Array(workload.rows * workload.horizon);
  for (let r = 0; r < workload.rows; r++) {
    const row = X.subarray(r * workload.nInputs, (r + 1) * workload.nInputs);
    for (let s = 0; s < workload.horizon; s++) {
      Y[r * workload.horizon + s] = 0.5 * row[s % workload.nInputs] - 0.25 * row[(3 * s + 1) % workload.nInputs] + 0.1 * gaussian();
    }
  }
  return { X, Y };
}

async function measure(workload: Workload, data: { X: Float32Array; Y: Float32Array }): Promise<Measurement> {
  const epochEnds: { wall: number; cpu: number }[] = [];
  const cpuSeconds = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  const started = performance.now();
  const { model, history, splitIndex } = await trainModel({
    config: workload.config,
    X: data.X,
    Y: data.Y,
    nInputs: workload.nInputs,
    horizon: workload.horizon,
    split: { validation: 0, test: 0 },
    seed: 1,
    onEpoch: () => {
      epochEnds.push({ wall: performance.now(), cpu: cpuSeconds() });
    },
  });
  const totalSeconds = (performance.now() - started) / 1000;
  model.dispose();
  const first = epochEnds[0];
  const last = epochEnds[epochEnds.length - 1];
  const steadySamples = splitIndex.trainEnd * (epochEnds.length - 1);
  let fastestEpochMs = Number.POSITIVE_INFINITY;
  for (let i = 1; i < epochEnds.length; i++) fastestEpochMs = Math.min(fastestEpochMs, epochEnds[i].wall - epochEnds[i - 1].wall);
  return {
    totalSeconds,
    samplesPerSecond: splitIndex.trainEnd / (fastestEpochMs / 1000),
    meanSamplesPerSecond: steadySamples / ((last.wall - first.wall) / 1000),
    samplesPerCpuSecond: steadySamples / (last.cpu - first.cpu),
    finalLoss: history[history.length - 1].loss,
  };
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US').padStart(9);
}

tf.enableProdMode();
const results = new Map<string, Measurement>();
const available: BackendName[] = [];
const load = loadavg()[0];
console.log(`Training throughput, 2-core reference ratio wasm/cpu ${(REFERENCE_MLP_5_EPOCHS_S.cpu / REFERENCE_MLP_5_EPOCHS_S.wasm).toFixed(2)}; load average ${load.toFixed(2)}`);
for (const backend of ['cpu', 'wasm', 'tensorflow'] as const) {
  const attempt = await useBackend(backend);
  if (!attempt.ok) {
    console.log(`${backend.padEnd(10)} skipped: ${attempt.reason}`);
    continue;
  }
  available.push(backend);
  const features = backend === 'wasm' ? ` (simd ${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')}, threads ${(await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount()})` : '';
  for (const workload of WORKLOADS) {
    const result = await measure(workload, syntheticData(workload));
    results.set(`${workload.name}_${backend}`, result);
    console.log(
      `${workload.name.padEnd(5)} ${backend.padEnd(10)} ${workload.config.epochs} epochs x ${workload.rows} rows in ${result.totalSeconds.toFixed(2).padStart(6)} s; samples/s best epoch ${formatRate(result.samplesPerSecond)}, mean ${formatRate(result.meanSamplesPerSecond)}, per CPU-s ${formatRate(result.samplesPerCpuSecond)}; loss ${result.finalLoss.toFixed(4)}${features}`,
    );
  }
}

const summary: Record<string, string | number> = { bench: 'train' };
for (const workload of WORKLOADS) {
  for (const backend of available) {
    const result = results.get(`${workload.name}_${backend}`)!;
    summary[`${workload.name}_${backend}_sps`] = Math.round(result.samplesPerSecond);
    summary[`${workload.name}_${backend}_cpu_sps`] = Math.round(result.samplesPerCpuSecond);
  }
}
const ratio = (name: string, key: 'samplesPerSecond' | 'samplesPerCpuSecond') => {
  const wasm = results.get(`${name}_wasm`)?.[key];
  const cpu = results.get(`${name}_cpu`)?.[key];
  return wasm && cpu ? Number((wasm / cpu).toFixed(2)) : Number.NaN;
};
summary['ratio_wasm_cpu'] = ratio('mlp', 'samplesPerSecond');
summary['ratio_wasm_cpu_cputime'] = ratio('mlp', 'samplesPerCpuSecond');
summary['mlp24_ratio_wasm_cpu'] = ratio('mlp24', 'samplesPerSecond');
for (const backend of ['wasm', 'cpu'] as const) {
  const mlp = results.get(`mlp_${backend}`);
  if (mlp) summary[`mlp_${backend}_5epochs_s`] = Number(mlp.totalSeconds.toFixed(2));
}
summary['reference_mlp_wasm_5epochs_s'] = REFERENCE_MLP_5_EPOCHS_S.wasm;
summary['reference_mlp_cpu_5epochs_s'] = REFERENCE_MLP_5_EPOCHS_S.cpu;
summary['loadavg_1m'] = Number(loadavg()[0].toFixed(2));
console.log(`ratio wasm/cpu: mlp ${summary['ratio_wasm_cpu']} (per CPU-s ${summary['ratio_wasm_cpu_cputime']}), 24-step mlp ${summary['mlp24_ratio_wasm_cpu']}`);
console.log(JSON.stringify(summary));
