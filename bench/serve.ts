/**
 * Inference server throughput: how much of a bare Fastify server's request rate the
 * real server keeps on the OIP infer path, and what micro-batching buys. Each
 * server runs in a process of its own, started with the V8 flags `fluxora serve`
 * sets and pinned away from autocannon's CPU (see PINNING), on loopback:
 *
 * - bare: Fastify, one POST route at the same path that parses the same JSON body
 *   and answers a fixed JSON body of exactly a real infer response's bytes;
 * - fluxora, batching on (maxBatchSize 64, maxLatencyMs 2, flush when idle):
 *   POST /v2/models/{name}/infer with one row, through validation, the
 *   micro-batcher, a small TensorFlow.js MLP (runtime/models: 32 inputs -> 64 -> 32
 *   -> 24 steps, conformal ± 1) run by the forward pass serving picks for it
 *   (runtime/models/predictor.ts: the typed-array dense pass),
 *   the response writer, metrics and request ids;
 * - fluxora, batching off (maxBatchSize 1): every request is its own model call;
 * - fluxora with the stand-in test model (batching on): the server's own overhead,
 *   the model's cost taken out.
 *
 * Every server gets CONNECTIONS connections for a 2 s warm-up, then DURATION
 * seconds split into ROUNDS interleaved rounds (order rotating), so a machine whose
 * load drifts treats them alike. It prints req/s, p50/p99 latency (median over
 * rounds), requests per CPU-second of the server's process (all its threads, GC
 * included; steadier than req/s on a shared machine), the ratio fluxora/bare
 * (the median over rounds of each round's ratio, and the ratio of the totals),
 * and last ONE JSON line for tooling. With --model test (or when TensorFlow.js
 * cannot load) the stand-in model replaces the MLP.
 *
 * Run: node bench/serve.ts [--duration 30] [--rounds 20] [--connections 64] [--model mlp|test] [--flush idle|timer]
 */
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { SERVE_V8_FLAGS } from '../cli/main.ts';
import type { LoadedModel } from '../runtime/serve/loaded-model.ts';

const N_INPUTS = 32;
const HORIZON = 24;
const MODEL_NAME = 'energy';
const INFER_PATH = `/v2/models/${MODEL_NAME}/infer`;
const GOAL_RATIO = 0.8;

type ServerSpec =
  | { kind: 'bare'; body: string }
  | { kind: 'fluxora'; maxBatchSize: number; model: 'mlp' | 'test'; flushWhenIdle: boolean };

/** Window is what a server process reports for a measurement window: its CPU time (all its threads, GC included) and event-loop use. */
interface Window {
  cpuMs: number;
  utilization: number;
}

interface Started {
  port: number;
  model?: string;
}

/** The part of autocannon's result this bench reads (the package ships no types). */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method: string;
  headers: Record<string, string>;
  body: string;
}) => Promise<AutocannonResult>;


/**
 * PINNING keeps autocannon and the server under test on different CPUs (Linux,
 * taskset, two CPUs or more): autocannon and this process on CPU 0, every server,
 * all its threads (GC included), on the others, like a pod with its own CPU.
 * Unpinned, placement decided too much: on this 2-CPU machine the first server
 * started ran 15-20% slower per request than the same server started later,
 * whichever server that was, in five runs out of six.
 */
const PINNING = ((): { bench: string; servers: string } | undefined => {
  const cpus = availableParallelism();
  if (process.platform !== 'linux' || cpus < 2) return undefined;
  if (spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  return { bench: '0', servers: cpus === 2 ? '1' : `1-${cpus - 1}` };
})();

/** SERVER_ENV carries a server process's spec from the bench to the child it starts. */
const SERVER_ENV = 'FLUXORA_BENCH_SERVER';

if (process.env[SERVER_ENV] === undefined) {
  // All this process's threads (autocannon's included) on the bench CPU; threads made later inherit it.
  if (PINNING !== undefined) spawnSync('taskset', ['-a', '-p', '-c', PINNING.bench, String(process.pid)], { stdio: 'ignore' });
  await main();
} else {
  await serveInProcess(JSON.parse(process.env[SERVER_ENV]) as ServerSpec);
}

interface Scenario {
  key: 'bare' | 'on' | 'off' | 'stub';
  label: string;
  child: ChildProcess;
  started: Started;
  url: string;
  requests: number;
  seconds: number;
  cpuMs: number;
  busy: number[];
  p50: number[];
  p99: number[];
  /** Requests per second in each measured round, in round order. */
  roundRps: number[];
  /** Requests per server-CPU-second in each measured round. */
  roundPerCpu: number[];
  failures: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '30' },
      rounds: { type: 'string', default: '20' },
      connections: { type: 'string', default: '64' },
      model: { type: 'string', default: 'mlp' },
      flush: { type: 'string', default: 'idle' },
    },
  });
  const duration = Number(values.duration);
  const rounds = Math.max(1, Number(values.rounds));
  const connections = Number(values.connections);
  const modelKind = values.model === 'test' ? 'test' : 'mlp';
  const flushWhenIdle = values.flush !== 'timer';
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const body = JSON.stringify(requestBody());
  const headers = { 'content-type': 'application/json' };

  const open = async (key: Scenario['key'], label: string, spec: ServerSpec): Promise<Scenario & { sample: string }> => {
    const { child, started } = await startServerProcess(spec);
    const url = `http://127.0.0.1:${started.port}${INFER_PATH}`;
    const response = await fetch(url, { method: 'POST', headers, body });
    const sample = await response.text();
    if (response.status !== 200) throw new Error(`${label}: a sample request answered ${response.status}: ${sample}`);
    const scenario = { key, label, child, started, url, requests: 0, seconds: 0, cpuMs: 0, busy: [], p50: [], p99: [], roundRps: [], roundPerCpu: [], failures: 0 };
    return { ...scenario, sample };
  };
  const run = async (scenario: Scenario, seconds: number, record: boolean): Promise<void> => {
    if (record) await ask(scenario.child, 'begin');
    const result = await autocannon({ url: scenario.url, connections, duration: seconds, method: 'POST', headers, body });
    if (!record) return;
    const window = (await ask(scenario.child, 'end')) as Window;
    scenario.requests += result.requests.total;
    scenario.seconds += seconds;
    scenario.cpuMs += window.cpuMs;
    scenario.busy.push(window.utilization);
    scenario.p50.push(result.latency.p50);
    scenario.p99.push(result.latency.p99);
    scenario.roundRps.push(result.requests.total / seconds);
    scenario.roundPerCpu.push(result.requests.total / (window.cpuMs / 1000));
    scenario.failures += result.non2xx + result.errors + result.timeouts;
  };

  // The bare server answers exactly the bytes of a real infer response.
  const on = await open('on', 'fluxora, batching on', { kind: 'fluxora', maxBatchSize: 64, model: modelKind, flushWhenIdle });
  const bare = await open('bare', 'bare fastify, fixed body', { kind: 'bare', body: on.sample });
  const off = await open('off', 'fluxora, batching off', { kind: 'fluxora', maxBatchSize: 1, model: modelKind, flushWhenIdle });
  // The stand-in model costs next to nothing: this run shows the server's own overhead.
  const stub = await open('stub', 'fluxora, stand-in model', { kind: 'fluxora', maxBatchSize: 64, model: 'test', flushWhenIdle });
  const scenarios = modelKind === 'test' ? [bare, on, off] : [bare, on, off, stub];
  console.log(
    `serve bench: ${connections} connections, ${duration} s per server in ${rounds} interleaved rounds after a warm-up, ` +
      `loopback, one row per request; model ${on.started.model}; infer response ${on.sample.length} bytes; V8 flags ${SERVE_V8_FLAGS.join(' ')}`,
  );
  for (const scenario of scenarios) await run(scenario, 2, false);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no server always runs first (or last) in a round.
    for (let i = 0; i < scenarios.length; i++) await run(scenarios[(round + i) % scenarios.length], duration / rounds, true);
  }
  const batch = new Map<Scenario['key'], number | undefined>();
  for (const scenario of [on, off, stub]) batch.set(scenario.key, await meanBatchSize(scenario.started.port));
  for (const scenario of [bare, on, off, stub]) await stopServerProcess(scenario.child);

  const summary = (s: Scenario) => ({
    rps: Math.round(s.requests / s.seconds),
    perCpuSecond: Math.round(s.requests / (s.cpuMs / 1000)),
    p50: median(s.p50),
    p99: median(s.p99),
    busy: median(s.busy),
  });
  const results = { bare: summary(bare), on: summary(on), off: summary(off), stub: summary(stub) };
  for (const scenario of scenarios) {
    const r = results[scenario.key];
    const meanBatch = batch.get(scenario.key);
    console.log(
      `${scenario.label.padEnd(26)} ${String(r.rps).padStart(6)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms` +
        `  ${String(r.perCpuSecond).padStart(6)} req/server-CPU-s  loop busy ${(r.busy * 100).toFixed(0)}%` +
        (meanBatch === undefined ? '' : `  mean batch ${meanBatch.toFixed(1)} rows`) +
        (scenario.failures > 0 ? `  (${scenario.failures} failed)` : ''),
    );
  }
  // Each round measures every server back to back, so the ratio within a round
  // compares them under the same machine load; the median over rounds is the
  // headline, steadier than the ratio of totals when the load drifts.
  const perRound = (s: Scenario, of: 'roundRps' | 'roundPerCpu') => s[of].map((value, i) => value / bare[of][i]);
  const onRounds = perRound(on, 'roundRps');
  const ratio = median(onRounds);
  const ratioTotal = results.on.rps / results.bare.rps;
  const stubRatio = median(perRound(stub, 'roundRps'));
  const ratioCpu = median(perRound(on, 'roundPerCpu'));
  console.log(`fluxora/bare by round: ${onRounds.map((r) => r.toFixed(2)).join(' ')}`);
  console.log(
    `ratio fluxora/bare ${ratio.toFixed(3)} in req/s (median of rounds; ${ratioTotal.toFixed(3)} of the totals), ` +
      `${ratioCpu.toFixed(3)} in req per server-CPU-second (median of rounds; goal >= ${GOAL_RATIO}); ` +
      `batching on/off ${(results.on.rps / results.off.rps).toFixed(2)}x in req/s, ` +
      `${(results.on.perCpuSecond / results.off.perCpuSecond).toFixed(2)}x per CPU-second` +
      (scenarios.includes(stub)
        ? `; server alone (stand-in model)/bare ${stubRatio.toFixed(3)} in req/s, ` +
          `${(results.stub.perCpuSecond / results.bare.perCpuSecond).toFixed(3)} per CPU-second`
        : ''),
  );
  console.log(
    JSON.stringify({
      bench: 'serve',
      ratio: Number(ratio.toFixed(3)),
      ratio_of_totals: Number(ratioTotal.toFixed(3)),
      ratio_min: Number(Math.min(...onRounds).toFixed(3)),
      ratio_max: Number(Math.max(...onRounds).toFixed(3)),
      rps_bare: results.bare.rps,
      rps_infer: results.on.rps,
      ratio_cpu: Number(ratioCpu.toFixed(3)),
      rps: results.on.rps,
      p50_ms: results.on.p50,
      p99_ms: results.on.p99,
      bare_rps: results.bare.rps,
      bare_p50_ms: results.bare.p50,
      bare_p99_ms: results.bare.p99,
      batching_on_rps: results.on.rps,
      batching_off_rps: results.off.rps,
      batching_off_p99_ms: results.off.p99,
      rps_per_cpu_s: results.on.perCpuSecond,
      bare_rps_per_cpu_s: results.bare.perCpuSecond,
      batching_off_rps_per_cpu_s: results.off.perCpuSecond,
      mean_batch: Number((batch.get('on') ?? 0).toFixed(1)),
      ...(scenarios.includes(stub)
        ? {
            stub_model_rps: results.stub.rps,
            stub_model_ratio: Number(stubRatio.toFixed(3)),
            stub_model_ratio_cpu: Number((results.stub.perCpuSecond / results.bare.perCpuSecond).toFixed(3)),
          }
        : {}),
      failed: scenarios.reduce((sum, scenario) => sum + scenario.failures, 0),
      model: on.started.model,
      flush: flushWhenIdle ? 'idle' : 'timer',
      connections,
      duration_s: duration,
      rounds,
      load1: Number(loadavg()[0].toFixed(1)),
      v8_flags: SERVE_V8_FLAGS.join(' '),
    }),
  );
}

async function meanBatchSize(port: number): Promise<number | undefined> {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = Number(/^fluxora_batch_size_sum (\S+)$/m.exec(metrics)?.[1]);
  const count = Number(/^fluxora_batch_size_count (\S+)$/m.exec(metrics)?.[1]);
  return count > 0 ? sum / count : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function requestBody(): Record<string, unknown> {
  const data = Array.from({ length: N_INPUTS }, (_, i) => Number((Math.sin(i) * 10 + 20).toFixed(3)));
  return { id: 'bench', inputs: [{ name: 'features', shape: [1, N_INPUTS], datatype: 'FP32', data }] };
}

/**
 * startServerProcess starts a server process, one per server as in production (one per
 * pod): heaps, GC threads and JIT state are not shared with the other servers or
 * with autocannon. Every server, bare included, runs with the V8 flags `fluxora
 * serve` sets (SERVE_V8_FLAGS), given on the command line as a process starts.
 */
function startServerProcess(spec: ServerSpec): Promise<{ child: ChildProcess; started: Started }> {
  const node = [process.execPath, ...process.execArgv, ...SERVE_V8_FLAGS, fileURLToPath(import.meta.url)];
  const [command, ...args] = PINNING === undefined ? node : ['taskset', '-c', PINNING.servers, ...node];
  const child = spawn(command, args, {
    env: { ...process.env, [SERVER_ENV]: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (started: Started) => resolve({ child, started }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`a ${spec.kind} server exited with code ${code} before it listened`)));
  });
}

async function stopServerProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await exited;
}

function ask(child: ChildProcess, message: 'begin' | 'end'): Promise<unknown> {
  const reply = new Promise((resolve) => child.once('message', resolve));
  child.send(message);
  return reply;
}

async function serveInProcess(spec: ServerSpec): Promise<void> {
  const send = (message: unknown) => process.send!(message);
  let close: () => Promise<unknown>;
  let started: Started;
  if (spec.kind === 'bare') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false });
    app.post('/v2/models/:name/infer', async (_request, reply) => {
      reply.header('content-type', 'application/json; charset=utf-8');
      return spec.body;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    started = { port: (app.server.address() as { port: number }).port };
    close = () => app.close();
  } else {
    const { startServer } = await import('../runtime/serve/server.ts');
    const { model, description } = await benchModel(spec.model);
    const server = await startServer({
      model,
      batching: { maxBatchSize: spec.maxBatchSize, maxLatencyMs: 2, maxQueue: 4096, flushWhenIdle: spec.flushWhenIdle },
      logger: false,
      port: 0,
      host: '127.0.0.1',
      handleSignals: false,
    });
    await server.app.fluxora.modelReady;
    started = { port: server.port, model: description };
    close = () => server.close();
  }
  let cpuAtBegin = process.cpuUsage();
  let loopAtBegin = performance.eventLoopUtilization();
  process.on('message', async (message: 'begin' | 'end' | 'stop') => {
    if (message === 'begin') {
      cpuAtBegin = process.cpuUsage();
      loopAtBegin = performance.eventLoopUtilization();
      send('ok');
    } else if (message === 'end') {
      const cpu = process.cpuUsage(cpuAtBegin);
      const window: Window = {
        cpuMs: (cpu.user + cpu.system) / 1000,
        utilization: performance.eventLoopUtilization(loopAtBegin).utilization,
      };
      send(window);
    } else {
      await close();
      process.exit(0);
    }
  });
  send(started);
}

/** benchModel is a small TensorFlow.js MLP behind the LoadedModel contract, or the test model when tfjs cannot load. */
async function benchModel(kind: 'mlp' | 'test'): Promise<{ model: LoadedModel; description: string }> {
  try {
    if (kind === 'test') throw new Error('--model test');
    const tf = await import('@tensorflow/tfjs');
    const { initBackend } = await import('../runtime/models/backend.ts');
    const { buildModel } = await import('../runtime/models/model.ts');
    const { predictor, warmUpPredictor } = await import('../runtime/models/predictor.ts');
    const backend = await initBackend();
    const network = buildModel({ type: 'mlp', hiddenUnits: [64, 32] }, N_INPUTS, HORIZON, { seed: 1 });
    const halfWidth = 1;
    const forward = predictor(network, N_INPUTS);
    // As the serving role does: a dense pass holds its own weights, so the TensorFlow.js model goes.
    if (forward.kind !== 'tfjs') network.dispose();
    const model: LoadedModel = {
      name: MODEL_NAME,
      version: 1,
      inputNames: Array.from({ length: N_INPUTS }, (_, i) => `x${i}`),
      horizon: HORIZON,
      stepMs: 3_600_000,
      target: 'load',
      covariates: [],
      knownCovariates: [],
      requiredHistory: 1,
      coverage: 0.9,
      quantileLevels: [],
      quantileOffsets: () => undefined,
      predictBatch(X, n) {
        const point = forward.run(X, n);
        const lower = new Float32Array(point.length);
        const upper = new Float32Array(point.length);
        for (let i = 0; i < point.length; i++) {
          lower[i] = point[i] - halfWidth;
          upper[i] = point[i] + halfWidth;
        }
        return { point, lower, upper };
      },
      featuresFromHistory() {
        throw new Error('not used by this bench');
      },
      warmUp() {
        warmUpPredictor(forward, N_INPUTS);
      },
    };
    return { model, description: `tfjs ${tf.version.tfjs} ${backend} MLP ${N_INPUTS}->64->32->${HORIZON}, forward pass: ${forward.kind}` };
  } catch (error) {
    const { createTestModel } = await import('../test/support/serve-model.ts');
    const model = createTestModel({ name: MODEL_NAME, nInputs: N_INPUTS, horizon: HORIZON, covariates: [] });
    return { model, description: `test model (tfjs unavailable: ${error instanceof Error ? error.message : String(error)})` };
  }
}
