import { describe, expect, it } from 'vitest';
import { recommendReplicas, stabilize } from './autoscale.ts';

const policy = { minReplicas: 1, maxReplicas: 8, targetConcurrency: 8, stabilizationWindowSeconds: 300 };

describe('autoscaling', () => {
  it.each([
    ['scales up to carry the load at the target', [16, 16], 2, 4],
    ['stays within 10% of the target', [8.5, 7.9], 2, 2],
    ['scales down when idle, to the minimum', [0, 0, 0], 3, 1],
    ['caps at maxReplicas', [100, 100], 2, 8],
    ['keeps the count with no measurement', [], 3, 3],
  ])('%s', (_what, inflight, current, want) => {
    expect(recommendReplicas(inflight, current, policy)).toBe(want);
  });

  it('scales up at once but down only after the window', () => {
    let h = stabilize([], { at: 0, replicas: 2 }, 300).history;
    let d = stabilize(h, { at: 10_000, replicas: 6 }, 300);
    expect(d.replicas).toBe(6);
    h = d.history;
    d = stabilize(h, { at: 60_000, replicas: 1 }, 300);
    expect(d.replicas).toBe(6);
    d = stabilize(d.history, { at: 400_000, replicas: 1 }, 300);
    expect(d.replicas).toBe(1);
  });
});
