import { FLOAT32_JSON_MAX_BYTES, writeFloat32 } from '../runtime/serve/float32-json.ts';
const buf = new Uint8Array(64);
const text = (v: number) => Buffer.from(buf.buffer, 0, writeFloat32(buf, 0, v)).toString('latin1');
let bad = 0; const f = new Float32Array(1); const u = new Uint32Array(f.buffer);
const grammar = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
for (let i = 0; i < 3_000_000; i++) { u[0] = (Math.random() * 2 ** 32) >>> 0; let v = f[0]; if (!Number.isFinite(v)) continue; if (i % 3 === 1) v = Math.fround((Math.random() - 0.3) * 10 ** (Math.random() * 12 - 4)); if (i % 3 === 2) v = Math.fround(Math.round(Math.random() * 1e6) / 10 ** (i % 7)); const s = text(v); if (Math.fround(JSON.parse(s)) !== v || !grammar.test(s) || s.length > FLOAT32_JSON_MAX_BYTES) { if (bad++ < 10) console.log('bad', v, s); } }
console.log('bad', bad);
for (const v of [1, 10, 0.5, 5.3125, 0.1, 21.3, -2.5, 1e-6, 1e-7, 123456.789, 1e20, 1e21, 3.4028234663852886e38, 1.401298464324817e-45, 16777216, 99999.99, 9.9999999]) console.log(v, '->', text(Math.fround(v)));
const pool = Array.from({ length: 64 }, (_, k) => Float32Array.from({ length: 72 }, (_, i) => (Math.random() * 50 + i * 1.37 + k)));
const out = Buffer.allocUnsafe(72 * 16);
function bench(name: string, fn: (i: number) => number, iters = 100000) { for (let i = 0; i < 10000; i++) fn(i); const t = performance.now(); let x = 0; for (let i = 0; i < iters; i++) x += fn(i); console.log(name.padEnd(34), ((performance.now() - t) / iters * 1000).toFixed(2), 'us', x / iters); }
for (let r = 0; r < 5; r++) {
bench('join 72', (i) => pool[i & 63].join(',').length);
bench('writeFloat32 72', (i) => { const a = pool[i & 63]; let p = 0; for (let j = 0; j < 72; j++) { if (j) out[p++] = 44; p = writeFloat32(out, p, a[j]); } return p; });
}
