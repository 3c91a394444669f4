import { describe, expect, it } from 'vitest';
import { parseRoleConfig, serializeRoleConfig, type ServeConfig } from './config.ts';
import { driftSummary, readSummary } from './summaries.ts';
import { CONTRACT_VERSION, ContractError } from './version.ts';

const serve: ServeConfig = {
  role: 'serve',
  deployment: { kind: 'ModelDeployment', name: 'md', namespace: 'ml', spec: {} as ServeConfig['deployment']['spec'] },
  model: { name: 'grid', alias: 'production' },
};

describe('role config', () => {
  it('round-trips with the contract version', () => {
    const text = serializeRoleConfig(serve);
    expect(JSON.parse(text).contract).toBe(CONTRACT_VERSION);
    expect(parseRoleConfig('serve', text, '$FLUXORA_CONFIG')).toEqual(serve);
  });

  it('refuses another version, another role, and a broken field, saying which', () => {
    const bad = (value: unknown, role: 'serve' | 'train' = 'serve') => () => parseRoleConfig(role, JSON.stringify(value), '$FLUXORA_CONFIG');
    expect(bad(serve)).toThrow('$FLUXORA_CONFIG (written by the operator) speaks no contract version (a release before versioned contracts), this image speaks 1');
    expect(bad({ ...serve, contract: 7 })).toThrow(/speaks contract version 7, this image speaks 1: run the operator and the workload image of the same Fluxora release/);
    expect(bad({ ...serve, contract: 1 }, 'train')).toThrow('$FLUXORA_CONFIG: a "serve" configuration cannot run the train role');
    expect(bad({ ...serve, contract: 1, model: { name: '' } })).toThrow(/^\$FLUXORA_CONFIG: model\.name: /);
    expect(bad({ ...serve, contract: 1, deployment: { kind: 'Dataset' } })).toThrow(/deployment: expected a resolved ModelDeployment/);
    expect(() => parseRoleConfig('serve', '{', 'config.json')).toThrow(/^config\.json: not valid JSON/);
  });
});

describe('summaries', () => {
  const drift = {
    result: 'NoDrift',
    drifted: false,
    driftedShare: 0,
    samples: 250,
    minSamples: 200,
    model: { name: 'grid', version: 1 },
    features: [{ name: 'load_lag_1', method: 'psi', score: null, threshold: 0.2, drifted: false }],
    ranAt: '2026-12-06T12:00:00Z',
  };

  it('reads a versioned summary, NaN written as null read back as NaN', () => {
    const read = readSummary(driftSummary, { contract: CONTRACT_VERSION, ...drift });
    expect(read.result).toBe('NoDrift');
    expect(read.features[0].score).toBeNaN();
  });

  it('names the field a summary breaks, and the version it speaks', () => {
    try {
      readSummary(driftSummary, { contract: CONTRACT_VERSION, ...drift, result: 'Maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ContractError);
      expect((err as ContractError).reason).toBe('InvalidSummary');
      expect((err as Error).message).toMatch(/^the drift-check pod reported a summary this operator cannot read: result: /);
    }
    expect(() => readSummary(driftSummary, drift)).toThrow(/the drift-check pod speaks no contract version/);
  });
});
