import { loadManifests } from '../crds/files.ts';
import { formatProblem } from '../crds/validate.ts';
import { type Command, UsageError } from './command.ts';

/** validateCommand is `fluxora validate -f PATH`: offline validation with the schemas and rules admission uses. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Validate manifests offline with the same schemas and rules as admission',
  help: `Usage: fluxora validate -f PATH [-f PATH ...]

Validates every Fluxora resource in PATH (a file or a directory, searched
recursively for .yaml/.yml; multi-document files allowed) with the zod schemas
and rules the CRDs enforce at admission. Other kinds (Secret, ConfigMap, ...)
are passed over. Prints one line per problem:

  FILE:DOC KIND/NAME: spec.field.path: message

Exit status: 0 when everything is valid, 1 when any problem was found, 2 on a
usage error.

Options:
  -f, --filename PATH   file or directory to validate (repeatable)
  -q, --quiet           print problems only, no summary line
  -h, --help            show this help`,
  options: { filename: { type: 'string', short: 'f', multiple: true }, quiet: { type: 'boolean', short: 'q' } },
  async run(values) {
    const paths = (values.filename as string[] | undefined) ?? [];
    if (paths.length === 0) throw new UsageError('-f PATH is required');
    let problems = 0;
    let resources = 0;
    for (const path of paths) {
      const loaded = await loadManifests(path);
      for (const p of loaded.problems) process.stdout.write(`${formatProblem(p)}\n`);
      problems += loaded.problems.length;
      resources += loaded.resources.length;
    }
    if (!values.quiet) {
      process.stderr.write(problems === 0 ? `${resources} resource(s) valid\n` : `${problems} problem(s) found\n`);
    }
    return problems === 0 ? 0 : 1;
  },
};
