/**
 * Response number writing: the WebAssembly kernel (runtime/serve/float32-wasm.ts)
 * against the JavaScript writeFloat32 it stands in for, in one process, on the
 * numbers of one-row infer responses (3 outputs x 24 steps, as in bench:serve)
 * taken from a batch of forecast-like values. Both write the same bytes (checked
 * first). Rounds alternate the two, so a noisy machine slows both alike; it prints
 * µs per response's 72 numbers (median over rounds) and ends with one JSON line.
 *
 * Run: node bench/float32.ts [--rounds 10] [--responses 200000]
 */
import { parseArgs } from 'node:util';
import { type Float32Text, jsFloat32Text } from '../runtime/serve/float32-json.ts';
import { wasmFloat32Text } from '../runtime/serve/float32-wasm.ts';

const HORIZON = 24;
const OUTPUTS = 3;
const BATCH = 48;

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, responses: { type: 'string', default: '200000' } } });
const rounds = Number(values.rounds);
const responses = Number(values.responses);

const wasm = wasmFloat32Text();
if (wasm === undefined) throw new Error('WebAssembly is not available here: nothing to compare');
const js = jsFloat32Text();

// Forecast-like values: a daily shape around a level, with lower and upper bounds, for a batch of rows.
const point = Float32Array.from({ length: BATCH * HORIZON }, (_, i) => 4200 + 900 * Math.sin((i % HORIZON) / 3.8) + 37.3 * Math.cos(i * 1.7));
const arrays = [point, point.map((v) => v * 0.93), point.map((v) => v * 1.07)];

/** writeResponses writes `count` responses' numbers (rows taken in turn from the batch) and returns the bytes written. */
function writeResponses(text: Float32Text, count: number): number {
  const buf = text.scratch(OUTPUTS * HORIZON * 23);
  let bytes = 0;
  for (let r = 0; r < count; r++) {
    const from = (r % BATCH) * HORIZON;
    let pos = 0;
    for (const data of arrays) pos = text.writeRun(buf, data, from, from + HORIZON, pos) + 1;
    bytes += pos;
  }
  return bytes;
}

const textOf = (text: Float32Text) => {
  const buf = text.scratch(BATCH * HORIZON * 23);
  return Buffer.from(buf.subarray(0, text.writeRun(buf, point, 0, point.length, 0))).toString('latin1');
};
if (textOf(js) !== textOf(wasm)) throw new Error('the kernel and writeFloat32 wrote different text');

const times: Record<'js' | 'wasm', number[]> = { js: [], wasm: [] };
writeResponses(js, responses / 10);
writeResponses(wasm, responses / 10);
for (let round = 0; round < rounds; round++) {
  for (const [name, text] of round % 2 === 0 ? ([['js', js], ['wasm', wasm]] as const) : ([['wasm', wasm], ['js', js]] as const)) {
    const started = performance.now();
    writeResponses(text, responses);
    times[name].push(((performance.now() - started) * 1000) / responses);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [jsUs, wasmUs] = [median(times.js), median(times.wasm)];
console.log(`${OUTPUTS * HORIZON} numbers per response, ${rounds} rounds of ${responses} responses each`);
console.log(`writeFloat32        ${jsUs.toFixed(3)} µs per response`);
console.log(`WebAssembly kernel  ${wasmUs.toFixed(3)} µs per response`);
console.log(`ratio kernel/writeFloat32 ${(wasmUs / jsUs).toFixed(3)} (median of rounds)`);
console.log(JSON.stringify({ bench: 'float32', ratio: Number((wasmUs / jsUs).toFixed(3)), js_us: Number(jsUs.toFixed(3)), wasm_us: Number(wasmUs.toFixed(3)), numbers: OUTPUTS * HORIZON }));
