import { type Command, parseCommandLine, UsageError } from './command.ts';
import { crdsCommand } from './crds.ts';
import { generateCommand } from './generate.ts';
import { driftCommand, profileCommand, serveCommand, trainCommand } from './roles.ts';
import { runCommand } from './run.ts';
import { operatorCommand } from './operator.ts';
import { validateCommand } from './validate.ts';

/** commands lists every `fluxora` subcommand in the order help shows them. */
export const commands: Command[] = [validateCommand, crdsCommand, runCommand, operatorCommand, profileCommand, trainCommand, serveCommand, driftCommand, generateCommand];

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
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`fluxora: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
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
