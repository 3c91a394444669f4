#!/usr/bin/env node
// The fluxora CLI. Sources are TypeScript run by Node's type stripping (Node >= 22.19).
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// A finished command exits even if a library left a handle open (a timer, a
// socket); the grace period lets pending output to pipes drain first.
setTimeout(() => process.exit(process.exitCode), 2000).unref();
