import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Command is one `fluxora` subcommand. */
export interface Command {
  name: string;
  summary: string;
  /** Full help text printed by `fluxora NAME --help`. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Runs the command; resolves to the process exit code. */
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

/** UsageError is a mistake in the command line; it prints the message and the help, exit code 2. */
export class UsageError extends Error {}

/** parseCommandLine parses argv for a command, adding --help; unknown flags are usage errors. */
export function parseCommandLine(cmd: Command, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
