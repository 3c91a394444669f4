import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** BackendName is a TensorFlow.js backend Fluxora can run on, fastest first. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** BACKEND_ORDER is the order `initBackend` tries backends in: native, then WebAssembly, then pure JS. */
export const BACKEND_ORDER: readonly BackendName[] = Object.freeze(['tensorflow', 'wasm', 'cpu']);

/** BackendLogger is the part of a pino logger `initBackend` needs: a fields object, then a fixed message. */
export interface BackendLogger {
  info(fields: Record<string, unknown>, message: string): void;
}

/** BackendAttempt says whether one backend could be switched to, and why not when it could not. */
export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  reason?: string;
}

/**
 * TFJS_NODE_SPECIFIER names the native backend package. It is an optional
 * dependency (installed in the production image only), so it is imported through a
 * variable: TypeScript then neither resolves it nor requires its types.
 */
const TFJS_NODE_SPECIFIER: string = '@tensorflow/tfjs-node';

let selection: Promise<BackendName> | undefined;
let wasmModule: Promise<typeof import('@tensorflow/tfjs-backend-wasm')> | undefined;

/**
 * initBackend picks the TensorFlow.js backend once per process, at start-up,
 * before any model is built: `tensorflow` (libtensorflow through
 * @tensorflow/tfjs-node) when it is installed, else `wasm` (XNNPACK; SIMD when the
 * runtime validates it, always single-threaded because tfjs turns wasm threads off
 * in Node), else the pure-JS `cpu`. It logs the choice once, with why faster
 * backends were passed over, and resolves to its name; later calls return the same
 * promise and never switch again. It also turns on TensorFlow.js's production mode,
 * which silences its unstructured console warnings.
 */
export function initBackend(log?: BackendLogger): Promise<BackendName> {
  selection ??= selectBackend(log);
  return selection;
}

async function selectBackend(log: BackendLogger | undefined): Promise<BackendName> {
  tf.enableProdMode();
  const attempts: BackendAttempt[] = [];
  for (const backend of BACKEND_ORDER) {
    const attempt = await useBackend(backend);
    attempts.push(attempt);
    if (attempt.ok) {
      log?.info(
        {
          backend,
          ...(await wasmFeatures(backend)),
          rejected: attempts.filter((a) => !a.ok).map((a) => ({ backend: a.backend, reason: a.reason })),
        },
        'Tensor backend selected',
      );
      return backend;
    }
  }
  // Unreachable in practice: the cpu backend ships inside @tensorflow/tfjs.
  throw new Error(`no TensorFlow.js backend could be initialised: ${JSON.stringify(attempts)}`);
}

/**
 * useBackend switches the process to one named backend, loading its package first
 * when needed (tfjs-node by dynamic import; the wasm binaries from the package's
 * dist folder on disk, no network). It never throws: a missing package or a
 * failed initialisation comes back as `{ ok: false, reason }`. Benchmarks and tests
 * use it to compare backends; services call `initBackend` instead.
 */
export async function useBackend(backend: BackendName): Promise<BackendAttempt> {
  try {
    if (backend === 'tensorflow' && tf.findBackendFactory('tensorflow') == null) {
      await import(TFJS_NODE_SPECIFIER);
    }
    if (backend === 'wasm') {
      await loadWasmBackend();
    }
    if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) {
      return { backend, ok: false, reason: 'backend initialisation failed' };
    }
    await tf.ready();
    return { backend, ok: true };
  } catch (error) {
    return { backend, ok: false, reason: error instanceof Error ? firstLine(error.message) : String(error) };
  }
}

/**
 * wasmDistDirectory is the folder holding the backend's .wasm binaries, resolved
 * from the installed package, with a trailing separator (setWasmPaths treats its
 * argument as a prefix). In Node, Emscripten reads these with fs, so a plain
 * absolute path is what works.
 */
export function wasmDistDirectory(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

function loadWasmBackend(): Promise<typeof import('@tensorflow/tfjs-backend-wasm')> {
  wasmModule ??= import('@tensorflow/tfjs-backend-wasm').then((wasm) => {
    wasm.setWasmPaths(wasmDistDirectory());
    return wasm;
  });
  return wasmModule;
}

async function wasmFeatures(backend: BackendName): Promise<Record<string, unknown>> {
  if (backend !== 'wasm') return {};
  const wasm = await loadWasmBackend();
  return {
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    threads: wasm.getThreadsCount(),
  };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0];
}
