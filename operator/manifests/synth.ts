import { App, Chart } from 'cdk8s';
import type { KubeObject } from '../controllers/shared/children.ts';

/**
 * synth runs `build` in a fresh cdk8s App and Chart and returns the API
 * objects it defined, in definition order, as plain JSON (ApiObject.toJson:
 * sorted keys, no undefined or null fields). A fresh App per call keeps render
 * pure: nothing is shared between calls, so nothing accumulates in a
 * long-running operator and the same inputs give byte-identical output.
 */
export function synth(build: (scope: Chart) => void): KubeObject[] {
  const chart = new Chart(new App(), 'fluxora');
  build(chart);
  return chart.apiObjects.map((o) => o.toJson() as KubeObject);
}
