#!/usr/bin/env node
// The fluxora CLI. Sources are TypeScript run by Node's type stripping (Node >= 22.19).
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});
// Node's compile cache keeps the type-stripped sources and V8 code of every
// module: a warm start loads neither the TypeScript stripper (amaro, ~17 MB
// resident) nor recompiles. The image bakes it (NODE_COMPILE_CACHE, see the
// Dockerfile); elsewhere it lives in the OS temp directory. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// A finished command exits even if a library left a handle open (a timer, a
// socket); the grace period lets pending output to pipes drain first.
setTimeout(() => process.exit(process.exitCode), 2000).unref();
