import { describe, expect, it } from 'vitest';
import {
  findCondition,
  formatTime,
  isConditionTrue,
  markReady,
  markReconciling,
  markStalled,
  mergeConditions,
  READY,
  RECONCILING,
  removeCondition,
  STALLED,
  setCondition,
} from './conditions.ts';

const T0 = Date.UTC(2026, 10, 26, 11, 0, 0);
const T1 = T0 + 60_000;

describe('setCondition', () => {
  it('adds a condition stamped with the current time', () => {
    const list = setCondition(undefined, { type: READY, status: 'False', reason: 'Pending', message: 'waiting' }, T0);
    expect(list).toEqual([
      { type: 'Ready', status: 'False', reason: 'Pending', message: 'waiting', lastTransitionTime: '2026-11-26T11:00:00Z' },
    ]);
  });

  it('keeps lastTransitionTime when the status does not change, even if reason and message do', () => {
    const before = setCondition(undefined, { type: READY, status: 'False', reason: 'Pending' }, T0);
    const after = setCondition(before, { type: READY, status: 'False', reason: 'Training', message: 'epoch 3', observedGeneration: 2 }, T1);
    expect(after).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Training',
        message: 'epoch 3',
        lastTransitionTime: '2026-11-26T11:00:00Z',
        observedGeneration: 2,
      },
    ]);
    expect(before[0].reason).toBe('Pending'); // not mutated
  });

  it('moves lastTransitionTime when the status changes, and keeps the order of other conditions', () => {
    let list = setCondition(undefined, { type: 'A', status: 'True', reason: 'x' }, T0);
    list = setCondition(list, { type: READY, status: 'False', reason: 'Pending' }, T0);
    list = setCondition(list, { type: READY, status: 'True', reason: 'Succeeded' }, T1);
    expect(list.map((c) => c.type)).toEqual(['A', 'Ready']);
    expect(findCondition(list, READY)?.lastTransitionTime).toBe('2026-11-26T11:01:00Z');
    expect(findCondition(list, 'A')?.lastTransitionTime).toBe('2026-11-26T11:00:00Z');
    expect(isConditionTrue(list, READY)).toBe(true);
    expect(removeCondition(list, 'A').map((c) => c.type)).toEqual(['Ready']);
  });
});

describe('mergeConditions', () => {
  it('rebuilds the list from this pass, carrying transition times of unchanged statuses', () => {
    const live = [
      { type: READY, status: 'False' as const, reason: 'Pending', lastTransitionTime: '2026-11-26T10:00:00Z' },
      { type: RECONCILING, status: 'True' as const, reason: 'Pending', lastTransitionTime: '2026-11-26T10:00:00Z' },
    ];
    const merged = mergeConditions(live, [{ type: READY, status: 'False', reason: 'Training' }], T1);
    expect(merged).toEqual([{ type: READY, status: 'False', reason: 'Training', lastTransitionTime: '2026-11-26T10:00:00Z' }]);
    const flipped = mergeConditions(live, [{ type: READY, status: 'True', reason: 'Succeeded' }], T1);
    expect(flipped[0].lastTransitionTime).toBe('2026-11-26T11:01:00Z');
  });
});

describe('kstatus helpers', () => {
  it('Reconciling -> Stalled -> Reconciling -> Ready', () => {
    let list = markReconciling(undefined, { reason: 'Progressing', message: 'creating the Job', observedGeneration: 1 }, T0);
    expect(list.map((c) => [c.type, c.status])).toEqual([
      [RECONCILING, 'True'],
      [READY, 'False'],
    ]);
    list = markStalled(list, { reason: 'InvalidSpec', message: 'dataset "x" not found', observedGeneration: 1 }, T1);
    expect(list.map((c) => [c.type, c.status])).toEqual([
      [READY, 'False'],
      [STALLED, 'True'],
    ]);
    expect(findCondition(list, READY)).toMatchObject({ reason: 'InvalidSpec', lastTransitionTime: '2026-11-26T11:00:00Z' });
    list = markReconciling(list, { reason: 'Progressing', observedGeneration: 2 }, T1);
    expect(findCondition(list, STALLED)).toBeUndefined();
    list = markReady(list, { reason: 'Succeeded', message: 'model registered', observedGeneration: 2 }, T1 + 1000);
    expect(list).toEqual([
      {
        type: READY,
        status: 'True',
        reason: 'Succeeded',
        message: 'model registered',
        lastTransitionTime: '2026-11-26T11:01:01Z',
        observedGeneration: 2,
      },
    ]);
  });

  it('formats metav1.Time in whole seconds', () => {
    expect(formatTime(T0 + 999)).toBe('2026-11-26T11:00:00Z');
  });
});
