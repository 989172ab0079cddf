import { describe, expect, it } from 'vitest';
import { paletteGroups } from './palette-groups';
import { chainFile, importBody } from './rule-chain-files';
import type { ComponentDescriptor, RuleChain, RuleChainMetaData } from './rule-chain.models';
import { mergeDebugEvents } from './debug-panel';
import type { DebugEvent } from './rule-chain.models';

const chain: RuleChain = {
  id: { entityType: 'RULE_CHAIN', id: 'c1' },
  createdTime: 1,
  name: 'Thermostat',
  type: 'CORE',
  root: true,
  debugMode: false,
  additionalInfo: null,
  firstRuleNodeId: { entityType: 'RULE_NODE', id: 'n1' },
  configuration: null,
  version: 3,
};
const metadata: RuleChainMetaData = {
  ruleChainId: chain.id,
  version: 3,
  firstNodeIndex: 0,
  nodes: [{ id: { entityType: 'RULE_NODE', id: 'n1' }, type: 'x.TbLogNode', name: 'Log', configuration: {}, ruleChainId: chain.id }],
  connections: [],
};

describe('rule chain files', () => {
  it('exports one chain without what belongs to this installation, and imports it back as one chain', () => {
    const file = chainFile(chain, metadata);
    expect(file.ruleChain).toMatchObject({ name: 'Thermostat', root: false, firstRuleNodeId: null });
    expect(file.ruleChain.version).toBeUndefined();
    expect(file.metadata.nodes![0]).toMatchObject({ id: null, ruleChainId: null, name: 'Log' });
    const body = importBody(JSON.parse(JSON.stringify(file)));
    expect(body.ruleChains).toHaveLength(1);
    expect(body.metadata[0].ruleChainId).toEqual(body.ruleChains[0].id);
  });

  it('pairs a file without ids by giving chain and metadata the same one', () => {
    const body = importBody({ ruleChain: { name: 'A' }, metadata: { nodes: [], connections: [] } });
    expect(body.ruleChains[0].id?.id).toBeTruthy();
    expect(body.metadata[0].ruleChainId).toEqual(body.ruleChains[0].id);
  });

  it('passes a several-chain export through and refuses anything else with what it expected', () => {
    const data = { ruleChains: [], metadata: [] };
    expect(importBody(data)).toBe(data);
    expect(() => importBody({ name: 'x' })).toThrow(/expected \{"ruleChain"/);
  });
});

const descriptor = (type: ComponentDescriptor['type'], name: string, description = ''): ComponentDescriptor => ({
  type,
  name,
  clazz: `${type}.${name}`,
  configurationVersion: 0,
  configurationDescriptor: {
    nodeDefinition: {
      description,
      inEnabled: true,
      outEnabled: true,
      relationTypes: [],
      customRelations: false,
      defaultConfiguration: {},
      icon: 'x',
    },
  },
});

describe('node palette', () => {
  const catalogue = [
    descriptor('ACTION', 'save time series', 'Stores telemetry'),
    descriptor('FILTER', 'script', 'Routes by a script'),
    descriptor('FILTER', 'message type switch'),
    descriptor('TRANSFORMATION', 'script'),
  ];

  it('groups nodes by category in ThingsBoard order, by name within a group', () => {
    expect(paletteGroups(catalogue, '').map((g) => [g.label, g.nodes.map((n) => n.name)])).toEqual([
      ['Filter', ['message type switch', 'script']],
      ['Transformation', ['script']],
      ['Action', ['save time series']],
    ]);
  });

  it('keeps the nodes matching every word searched, in name, category or description', () => {
    expect(paletteGroups(catalogue, 'script filter').map((g) => [g.label, g.nodes.map((n) => n.name)])).toEqual([['Filter', ['script']]]);
    expect(paletteGroups(catalogue, 'TELEMETRY').flatMap((g) => g.nodes.map((n) => n.name))).toEqual(['save time series']);
    expect(paletteGroups(catalogue, 'nothing like this')).toEqual([]);
  });
});

describe('debug events', () => {
  const event = (id: string, createdTime: number): DebugEvent => ({
    id: { id },
    createdTime,
    body: { type: 'IN', msgType: 'POST_TELEMETRY_REQUEST', entityId: 'd' },
  });

  it('merges the nodes’ events newest first, up to the limit', () => {
    const rows = mergeDebugEvents(
      [
        { nodeName: 'A', events: [event('a2', 20), event('a1', 10)] },
        { nodeName: 'B', events: [event('b1', 15)] },
      ],
      2,
    );
    expect(rows.map((r) => [r.nodeName, r.event.id.id])).toEqual([
      ['A', 'a2'],
      ['B', 'b1'],
    ]);
  });
});
