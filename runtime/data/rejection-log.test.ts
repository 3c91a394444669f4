import { describe, expect, it } from 'vitest';
import { MAX_KEPT_REJECTIONS, RejectionLog } from './rejection-log.ts';

describe('RejectionLog', () => {
  it('counts all rejections and keeps the lowest lines, in order', () => {
    const log = new RejectionLog();
    for (let line = 100; line < 150; line++) {
      if (log.wants(line)) log.add(line, `r${line}`);
      else log.skip();
    }
    log.add(5, 'late but early'); // e.g. a duplicate found after sorting
    expect(log.count).toBe(51);
    expect(log.kept).toHaveLength(MAX_KEPT_REJECTIONS);
    expect(log.kept[0]).toEqual({ line: 5, reason: 'late but early' });
    expect(log.kept.at(-1)!.line).toBe(118);
    expect(log.wants(200)).toBe(false);
    expect(log.wants(50)).toBe(true);
  });
});
