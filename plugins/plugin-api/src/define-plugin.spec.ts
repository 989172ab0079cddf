import { describe, expect, it } from 'vitest';
import { definePlugin, PluginDefinitionError } from './index';

const node = (type: string) => ({
  type,
  category: 'filter' as const,
  name: 'n',
  description: 'd',
  relations: ['True', 'False'],
  configSchema: {},
  defaultConfig: {},
  create: () => ({ onMsg() {} }),
});

describe('definePlugin', () => {
  it('returns a valid definition unchanged', () => {
    const plugin = { name: '@acme/nodes', version: '1.0.0', ruleNodes: [node('acme/threshold')] };
    expect(definePlugin(plugin)).toBe(plugin);
  });

  it('refuses duplicate and malformed ids with the offending id in the message', () => {
    expect(() => definePlugin({ name: 'p', version: '1', ruleNodes: [node('a/x'), node('a/x')] })).toThrow(/"a\/x" is declared twice/);
    expect(() => definePlugin({ name: 'p', version: '1', ruleNodes: [node('Bad Id')] })).toThrow(PluginDefinitionError);
  });

  it('refuses a node without relations', () => {
    expect(() => definePlugin({ name: 'p', version: '1', ruleNodes: [{ ...node('a/y'), relations: [] }] })).toThrow(
      /at least one relation/,
    );
  });
});
