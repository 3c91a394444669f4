import { describe, expect, it } from 'vitest';
import { canonicalJson, deterministicName, MAX_NAME_LENGTH, shortHash } from './deterministic-name.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('deterministicName', () => {
  it('joins parent and suffix when short enough', () => {
    expect(deterministicName('energy', 'train')).toBe('energy-train');
  });

  it('appends a short hash of the spec part that the child depends on', () => {
    const a = deterministicName('energy', 'train', { model: 'lstm', epochs: 10 });
    const b = deterministicName('energy', 'train', { epochs: 10, model: 'lstm' });
    const c = deterministicName('energy', 'train', { model: 'lstm', epochs: 11 });
    expect(a).toMatch(/^energy-train-[0-9a-f]{8}$/);
    expect(a).toBe(b); // key order does not matter
    expect(a).not.toBe(c);
    expect(deterministicName('energy', 'train', 3)).toBe(`energy-train-${shortHash(3)}`);
  });

  it('stays within 63 characters, keeps the suffix, and tells long parents with a common prefix apart', () => {
    const p1 = `${'a'.repeat(60)}-one`;
    const p2 = `${'a'.repeat(60)}-two`;
    const n1 = deterministicName(p1, 'train', { v: 1 });
    const n2 = deterministicName(p2, 'train', { v: 1 });
    for (const n of [n1, n2]) {
      expect(n.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
      expect(n).toMatch(DNS_LABEL);
      expect(n.endsWith(`-train-${shortHash({ v: 1 })}`)).toBe(true);
    }
    expect(n1).not.toBe(n2);
    expect(deterministicName(p1, 'train', { v: 1 })).toBe(n1);
  });

  it('never ends a truncated part with a separator', () => {
    const parent = `${'b'.repeat(39)}-${'c'.repeat(30)}`;
    const n = deterministicName(parent, 'serve');
    expect(n.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(n).toMatch(DNS_LABEL);
    expect(n).not.toContain('--');
  });

  it('handles a suffix too long to keep whole', () => {
    const n = deterministicName('x', 's'.repeat(80));
    expect(n).toHaveLength(MAX_NAME_LENGTH);
    expect(n).toMatch(DNS_LABEL);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});
