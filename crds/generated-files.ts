import { chartFiles } from '../charts/generate.ts';
import { installFiles } from '../operator/manifests/install.ts';
import { crdFiles } from './yaml.ts';

/** generatedFiles returns every file generated from code, by path relative to the repository root. */
export async function generatedFiles(): Promise<Map<string, string>> {
  return new Map([...crdFiles(), ...chartFiles(), ...installFiles()]);
}
