import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type BuildOptions, build } from '../../runtime/serve/app.ts';
import { createTestModel, type TestModel, type TestModelOptions } from './serve-model.ts';

/** TestApp is a built (not listening) server around a TestModel, for app.inject tests. */
export interface TestApp {
  app: FastifyInstance;
  model: TestModel;
}

/**
 * buildTestApp builds the server around a fresh TestModel (4 inputs, horizon 3 by
 * default), logs off, batching that runs every request at once unless overridden.
 */
export function buildTestApp(overrides: Partial<BuildOptions> = {}, modelOptions: TestModelOptions = {}): TestApp {
  const model = createTestModel(modelOptions);
  const app = build({
    model,
    batching: { maxBatchSize: 64, maxLatencyMs: 0, maxQueue: 1024 },
    logger: false,
    ...overrides,
  });
  return { app, model };
}

/** inferBody is an OIP inference request with the rows as one flat FP32 `features` input. */
export function inferBody(rows: number[][], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    inputs: [{ name: 'features', shape: [rows.length, rows[0]?.length ?? 0], datatype: 'FP32', data: rows.flat() }],
    ...extra,
  };
}

/** logCapture is a stream for the `logger.stream` option that keeps every JSON line written. */
export function logCapture(): { stream: Writable; lines: () => Array<Record<string, unknown>>; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return {
    stream,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** deferred is a promise with its resolve and reject exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
