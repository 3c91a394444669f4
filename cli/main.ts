import { setFlagsFromString } from 'node:v8';
import { type Command, parseCommandLine, UsageError } from './command.ts';

/**
 * OPERATOR_V8_FLAGS are set by `fluxora operator` itself before its modules
 * load, so the image, the chart, the e2e tests and bench:operator all run the
 * operator alike: --optimize-for-size keeps V8's young generation and heap
 * growth small (measured with 5,000 resources: 390 MB resident without it,
 * 177 MB with it; a command-line --max-semi-space-size=1 added nothing more).
 * The operator waits on the network, not the CPU, so the slower code it may
 * produce does not show.
 */
export const OPERATOR_V8_FLAGS = ['--optimize-for-size'];

/**
 * SERVE_V8_FLAGS are set by `fluxora serve` and `fluxora run` (which serves) before
 * their modules load. --no-allocation-site-pretenuring: under load V8 sees many
 * request-scoped objects alive at a scavenge, decides their allocation sites are
 * long-lived and allocates them straight in the old generation. There they die
 * young but keep what they point to alive through every scavenge: each scavenge
 * then promotes ~10 MB, takes 15-25 ms instead of 0.5-1 ms, and the old
 * generation fills up between mark-compacts. Measured on the inference server at
 * saturation (MLP, CPU profile): GC 6.7 µs of 41.5 µs per request with the
 * decision made, 1.0 of 31.4 µs with this flag (bench/serve.ts runs its servers
 * with these flags too).
 */
export const SERVE_V8_FLAGS = ['--no-allocation-site-pretenuring'];

/** withV8Flags sets `flags` and then loads a command, so they hold before any of its modules load. */
function withV8Flags(flags: readonly string[], load: () => Promise<Command>): () => Promise<Command> {
  return () => {
    for (const flag of flags) setFlagsFromString(flag);
    return load();
  };
}

/**
 * CommandEntry names a subcommand and loads it on demand, so `fluxora operator`
 * never loads TensorFlow.js and `fluxora validate` starts fast.
 */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

/** loadGenerate loads `fluxora generate`, a development command the image leaves out (it rewrites files of a source checkout). */
async function loadGenerate(): Promise<Command> {
  try {
    return (await import('./generate.ts')).generateCommand;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new UsageError('fluxora generate rewrites the generated files of a source checkout; run it there (npm run generate), not from the image');
  }
}

/** commands lists every `fluxora` subcommand in the order help shows them. */
export const commands: CommandEntry[] = [
  { name: 'validate', summary: 'Validate manifests offline with the same schemas and rules as admission', load: async () => (await import('./validate.ts')).validateCommand },
  { name: 'crds', summary: 'Print the five CustomResourceDefinitions as YAML', load: async () => (await import('./crds.ts')).crdsCommand },
  {
    name: 'run',
    summary: 'Run manifests on this machine: profile, train, serve and check drift, no cluster needed',
    load: withV8Flags(SERVE_V8_FLAGS, async () => (await import('./run.ts')).runCommand),
  },
  {
    name: 'operator',
    summary: 'Run the controller manager that reconciles the five kinds (in-cluster or with a kubeconfig)',
    load: withV8Flags(OPERATOR_V8_FLAGS, async () => (await import('./operator.ts')).operatorCommand),
  },
  { name: 'profile', summary: 'Load, validate and profile a Dataset (a workload role)', load: async () => (await import('./roles.ts')).profileCommand },
  {
    name: 'materialize',
    summary: "Store a FeatureSet's computed features in the database (a workload role)",
    load: async () => (await import('./roles.ts')).materializeCommand,
  },
  { name: 'train', summary: 'Train a TrainingJob: one tuning trial (--trial N) or the final model (a workload role)', load: async () => (await import('./roles.ts')).trainCommand },
  {
    name: 'serve',
    summary: 'Serve a registered model: Open Inference Protocol and /v1/forecast (a workload role)',
    load: withV8Flags(SERVE_V8_FLAGS, async () => (await import('./roles.ts')).serveCommand),
  },
  { name: 'drift', summary: "Compare recent predictions with the model's training profile (a workload role)", load: async () => (await import('./roles.ts')).driftCommand },
  { name: 'generate', summary: 'Write the generated files (CRD YAML, chart CRDs and RBAC, Argo CD health, install.yaml)', load: loadGenerate },
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Fluxora: declarative machine-learning workloads (forecasting) on Kubernetes.

Usage: fluxora COMMAND [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'fluxora COMMAND --help' for a command's options.`;
}

/** main runs the CLI and resolves to the exit code; it never lets an exception escape as a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version') {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`fluxora: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  let cmd: Command;
  try {
    cmd = await entry.load();
  } catch (err) {
    process.stderr.write(`fluxora ${name}: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
  try {
    const { values, positionals } = parseCommandLine(cmd, rest);
    if (values.help) {
      process.stdout.write(`${cmd.help}\n`);
      return 0;
    }
    return await cmd.run(values, positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`fluxora ${cmd.name}: ${err.message}\n\n${cmd.help}\n`);
      return 2;
    }
    process.stderr.write(`fluxora ${cmd.name}: ${(err as Error).message}\n`);
    if (process.env.FLUXORA_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
