import { beforeEach, describe, expect, it, vi } from 'vitest';

const setFlagsFromString = vi.fn();
vi.mock('node:v8', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:v8')>()), setFlagsFromString }));

const { commands, OPERATOR_V8_FLAGS, SERVE_V8_FLAGS } = await import('./main.ts');

function command(name: string) {
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined) throw new Error(`no command ${name}`);
  return entry;
}

describe('V8 flags per command', () => {
  beforeEach(() => setFlagsFromString.mockClear());

  it.each([
    ['serve', SERVE_V8_FLAGS],
    ['run', SERVE_V8_FLAGS],
    ['operator', OPERATOR_V8_FLAGS],
    ['validate', []],
  ])('%s sets its flags before its modules load', async (name, flags) => {
    await command(name).load();
    expect(setFlagsFromString.mock.calls.map(([flag]) => flag)).toEqual(flags);
  });

  it('serving runs without allocation-site pretenuring', () => {
    expect(SERVE_V8_FLAGS).toContain('--no-allocation-site-pretenuring');
  });
});
