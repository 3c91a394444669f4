import { crdStream } from '../crds/yaml.ts';
import type { Command } from './command.ts';

/** crdsCommand is `fluxora crds`: print the CRD YAML stream for `kubectl apply -f -`. */
export const crdsCommand: Command = {
  name: 'crds',
  summary: 'Print the five CustomResourceDefinitions as YAML',
  help: `Usage: fluxora crds

Prints the CustomResourceDefinitions of Dataset, FeatureSet, TrainingJob,
ModelDeployment and DriftMonitor (group fluxora.io, version v1alpha1) as one
YAML stream:

  fluxora crds | kubectl apply --server-side -f -

Options:
  -h, --help   show this help`,
  options: {},
  async run() {
    process.stdout.write(crdStream());
    return 0;
  },
};
