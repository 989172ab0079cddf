import { describe, expect, it } from 'vitest';
import {
  createNode,
  edgesOf,
  graphToMetadata,
  metadataToGraph,
  removeNodes,
  RuleChainGraph,
  sameGraph,
  setLabels,
  wouldCycle,
} from './rule-chain-graph';
import type { ComponentDescriptor, RuleChainMetaData, RuleNode } from './rule-chain.models';

const chainId = { entityType: 'RULE_CHAIN' as const, id: 'chain-1' };
const node = (id: string, name: string, x: number, y: number, extra: Partial<RuleNode> = {}): RuleNode => ({
  id: { entityType: 'RULE_NODE', id },
  type: 'org.thingsboard.rule.engine.action.TbLogNode',
  name,
  configuration: { scriptLang: 'TBEL' },
  additionalInfo: { layoutX: x, layoutY: y, description: 'keep me' },
  createdTime: 5,
  ...extra,
});

const metadata: RuleChainMetaData = {
  ruleChainId: chainId,
  version: 4,
  firstNodeIndex: 2,
  nodes: [node('a', 'Save', 800, 150), node('b', 'Log', 800, 300), node('c', 'Switch', 300, 150)],
  connections: [
    { fromIndex: 2, toIndex: 0, type: 'Post telemetry' },
    { fromIndex: 2, toIndex: 1, type: 'Other' },
    { fromIndex: 2, toIndex: 1, type: 'Post attributes' },
  ],
  ruleChainConnections: null,
};

const filter: ComponentDescriptor = {
  type: 'FILTER',
  name: 'script',
  clazz: 'org.thingsboard.rule.engine.filter.TbJsFilterNode',
  configurationVersion: 1,
  configurationDescriptor: {
    nodeDefinition: {
      description: 'Routes by a script',
      inEnabled: true,
      outEnabled: true,
      relationTypes: ['True', 'False', 'Failure'],
      customRelations: false,
      defaultConfiguration: { scriptLang: 'TBEL', tbelScript: 'return true;' },
      icon: 'filter_list',
    },
  },
};

describe('rule chain graph ↔ metadata', () => {
  it('reads nodes by id, positions from additionalInfo, connections and the first node by key', () => {
    const graph = metadataToGraph(metadata);
    expect(graph.nodes.map((n) => [n.key, n.position])).toEqual([
      ['a', { x: 800, y: 150 }],
      ['b', { x: 800, y: 300 }],
      ['c', { x: 300, y: 150 }],
    ]);
    expect(graph.firstNodeKey).toBe('c');
    expect(graph.connections).toContainEqual({ from: 'c', to: 'a', label: 'Post telemetry' });
  });

  it('writes back the same metadata it read, keeping fields it does not edit', () => {
    const written = graphToMetadata(metadataToGraph(metadata), metadata);
    expect(written.version).toBe(4);
    expect(written.firstNodeIndex).toBe(2);
    expect(written.nodes).toEqual(metadata.nodes);
    expect(written.connections).toEqual(expect.arrayContaining(metadata.connections!));
    expect(written.connections).toHaveLength(3);
  });

  it('keeps connections on their nodes when a node is inserted or removed, renumbering the indices', () => {
    let graph = metadataToGraph(metadata);
    const script = createNode(filter, { x: 550.4, y: 149.6 }, graph.nodes);
    graph = { ...graph, nodes: [...graph.nodes, script] };
    graph = setLabels(graph, 'c', 'a', []);
    graph = setLabels(graph, 'c', script.key, ['Post telemetry']);
    graph = setLabels(graph, script.key, 'a', ['True']);
    graph = removeNodes(graph, new Set(['b']));
    const written = graphToMetadata(graph, metadata);
    expect(written.nodes.map((n) => n.name)).toEqual(['Save', 'Switch', 'script']);
    expect(written.nodes[2]).toMatchObject({ id: null, type: filter.clazz, configuration: { tbelScript: 'return true;' } });
    expect(written.nodes[2].additionalInfo).toMatchObject({ layoutX: 550, layoutY: 150 });
    expect(written.firstNodeIndex).toBe(1);
    expect(written.connections).toEqual([
      { fromIndex: 1, toIndex: 2, type: 'Post telemetry' },
      { fromIndex: 2, toIndex: 0, type: 'True' },
    ]);
  });

  it('forgets the first node when it is deleted', () => {
    const graph = removeNodes(metadataToGraph(metadata), new Set(['c']));
    expect(graph.firstNodeKey).toBeNull();
    expect(graph.connections).toEqual([]);
    expect(graphToMetadata(graph, metadata).firstNodeIndex).toBeNull();
  });

  it('reads a chain that never had metadata as empty', () => {
    const graph = metadataToGraph({ ruleChainId: chainId, firstNodeIndex: null, nodes: [], connections: null });
    expect(graph).toEqual({ nodes: [], connections: [], firstNodeKey: null });
  });

  it('names new nodes after their type, numbered when the name is taken', () => {
    const first = createNode(filter, { x: 0, y: 0 }, []);
    const second = createNode(filter, { x: 0, y: 0 }, [first]);
    expect([first.node.name, second.node.name]).toEqual(['script', 'script 2']);
    expect(first.key).not.toBe(second.key);
    // The default configuration is copied, not shared.
    expect(first.node.configuration).not.toBe(filter.configurationDescriptor.nodeDefinition.defaultConfiguration);
  });

  it('draws one line per pair of nodes with all its labels', () => {
    const edges = edgesOf(metadataToGraph(metadata));
    expect(edges).toEqual([
      { id: 'c>a', from: 'c', to: 'a', labels: ['Post telemetry'] },
      { id: 'c>b', from: 'c', to: 'b', labels: ['Other', 'Post attributes'] },
    ]);
  });

  it('spots connections that would close a loop', () => {
    const graph = metadataToGraph(metadata);
    expect(wouldCycle(graph, 'a', 'c')).toBe(true);
    expect(wouldCycle(graph, 'a', 'a')).toBe(true);
    expect(wouldCycle(graph, 'a', 'b')).toBe(false);
  });

  it('tells unsaved changes from none: moving a node counts, re-reading does not', () => {
    const graph = metadataToGraph(metadata);
    expect(sameGraph(graph, metadataToGraph(metadata))).toBe(true);
    const moved: RuleChainGraph = { ...graph, nodes: graph.nodes.map((n, i) => (i === 0 ? { ...n, position: { x: 1, y: 1 } } : n)) };
    expect(sameGraph(graph, moved)).toBe(false);
  });
});
