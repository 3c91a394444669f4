import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, OPERATOR_USER, type OperatorProcess, startCluster, waitFor } from './harness/cluster.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON from kubectl.
type Any = any;

const badTrainingJob = `apiVersion: fluxora.io/v1alpha1
kind: TrainingJob
metadata: {name: bad, namespace: invalid}
spec:
  featureSetRef: {name: grid-load}
  registry: {model: grid-load}
  horizon: 0
  model: {algorithm: xgboostt}
`;

/**
 * An object that got past admission because its CRD has no schema (an older
 * CRD, or one installed without it): the operator must say so on the object,
 * once, and not spin on it.
 */
describe('a spec the schema rejects, on a real API server', () => {
  let c: Cluster;
  let operator: OperatorProcess;

  beforeAll(async () => {
    c = await startCluster();
    operator = c.startOperator(['--leader-elect=false', '--resync-period', '3']);
    // The TrainingJob CRD without its schema: the API server now stores any spec.
    const crd = JSON.parse((await c.kubectl(['get', 'crd', 'trainingjobs.fluxora.io', '-o', 'json'])).stdout) as Any;
    for (const v of crd.spec.versions) v.schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    delete crd.metadata.managedFields;
    const replaced = await c.kubectl(['replace', '-f', '-'], JSON.stringify(crd));
    expect(replaced.stderr).toBe('');
    await c.createNamespace('invalid');
    await waitFor(
      'the schema-less CRD to accept a bad spec',
      async () => (await c.kubectl(['apply', '-f', '-'], badTrainingJob)).code === 0,
      30_000,
      500,
    );
  }, 240_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('sets Ready=False and Stalled=True with reason InvalidSpec and the field paths, records an event, logs once and does not hot-loop', async () => {
    const get = async () => JSON.parse((await c.kubectl(['get', 'tj', 'bad', '-n', 'invalid', '-o', 'json'])).stdout) as Any;
    const obj = await waitFor(
      'the InvalidSpec condition',
      async () => {
        const o = await get();
        return o.status?.conditions?.some((x: Any) => x.type === 'Stalled' && x.reason === 'InvalidSpec') ? o : undefined;
      },
      60_000,
      500,
    );
    const cond = (type: string) => obj.status.conditions.find((x: Any) => x.type === type);
    expect(cond('Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(cond('Stalled')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(cond('Stalled').message).toMatch(/spec\.horizon: /);
    expect(cond('Stalled').message).toMatch(/spec\.model\.algorithm: /);
    expect(obj.status.observedGeneration).toBe(obj.metadata.generation);

    const events = await waitFor(
      'a Warning event',
      async () => {
        const list = JSON.parse((await c.kubectl(['get', 'events', '-n', 'invalid', '--field-selector', 'involvedObject.name=bad', '-o', 'json'])).stdout) as Any;
        return list.items.length > 0 ? list.items : undefined;
      },
      30_000,
      500,
    );
    expect(events[0]).toMatchObject({ type: 'Warning', reason: 'InvalidSpec', involvedObject: { kind: 'TrainingJob', name: 'bad' } });

    // Several resync periods later: no further write, one log line, nothing created.
    await new Promise((r) => setTimeout(r, 2000));
    const before = c.writesBy(OPERATOR_USER);
    await new Promise((r) => setTimeout(r, 10_000));
    const after = c.writesBy(OPERATOR_USER, before.lines);
    expect(after.sample).toEqual([]);
    const logged = operator.log().split('\n').filter((l) => l.includes('Spec rejected by the schema') && l.includes('"name":"bad"'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/spec\.model\.algorithm/);
    const jobs = JSON.parse((await c.kubectl(['get', 'jobs', '-n', 'invalid', '-o', 'json'])).stdout) as Any;
    expect(jobs.items).toEqual([]);
  });

  it('reconciles normally once the spec is fixed', async () => {
    const fixed = await c.kubectl(['patch', 'tj', 'bad', '-n', 'invalid', '--type=merge', '-p', '{"spec":{"horizon":24,"model":{"algorithm":"linear"}}}']);
    expect(fixed.code).toBe(0);
    const obj = await waitFor(
      'the next verdict',
      async () => {
        const o = JSON.parse((await c.kubectl(['get', 'tj', 'bad', '-n', 'invalid', '-o', 'json'])).stdout) as Any;
        return o.status?.observedGeneration === o.metadata.generation ? o : undefined;
      },
      60_000,
      500,
    );
    const ready = obj.status.conditions.find((x: Any) => x.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'FeatureSetNotFound' });
    expect(obj.status.conditions.find((x: Any) => x.type === 'Stalled')).toMatchObject({ status: 'False' });
  });
});
