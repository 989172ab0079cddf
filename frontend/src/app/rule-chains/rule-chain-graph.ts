import type { ComponentDescriptor, NodeConnection, RuleChainMetaData, RuleNode } from './rule-chain.models';

/**
 * The editor's view of a rule chain: nodes keyed by a stable local key (the node id once saved) so that
 * connections survive insertions and deletions, where the REST metadata refers to nodes by array index.
 */
export interface Point {
  x: number;
  y: number;
}

export interface GraphNode {
  /** Stable while editing: the node's id, or a local key until the server gives it one. */
  key: string;
  /** The node as the server knows it (configuration, debug settings, …); layout lives in `position`. */
  node: RuleNode;
  position: Point;
}

export interface GraphConnection {
  from: string;
  to: string;
  /** Relation label. */
  label: string;
}

export interface RuleChainGraph {
  nodes: GraphNode[];
  connections: GraphConnection[];
  /** The node messages enter the chain at (the "Input" of the canvas). */
  firstNodeKey: string | null;
  /** What the editor does not edit but must keep (canvas notes). */
  notes?: unknown[];
}

let localKeys = 0;
/** A key for a node the server has not seen yet. */
export const newNodeKey = () => `new-${Date.now().toString(36)}-${++localKeys}`;

const roundedLayout = (point: Point) => ({ layoutX: Math.round(point.x), layoutY: Math.round(point.y) });

/** Reads the server's metadata into the editor's graph. */
export function metadataToGraph(metadata: RuleChainMetaData): RuleChainGraph {
  const nodes = metadata.nodes.map((node, index): GraphNode => ({
    key: node.id?.id ?? `index-${index}`,
    node,
    position: { x: Number(node.additionalInfo?.layoutX ?? 0), y: Number(node.additionalInfo?.layoutY ?? 0) },
  }));
  const keyAt = (index: number) => nodes[index]?.key;
  const connections = (metadata.connections ?? [])
    .filter((c) => keyAt(c.fromIndex) && keyAt(c.toIndex))
    .map((c): GraphConnection => ({ from: keyAt(c.fromIndex)!, to: keyAt(c.toIndex)!, label: c.type }));
  const firstNodeKey = metadata.firstNodeIndex == null ? null : (keyAt(metadata.firstNodeIndex) ?? null);
  return { nodes, connections, firstNodeKey, ...(metadata.notes ? { notes: metadata.notes } : {}) };
}

/** Writes the graph as the metadata the server saves: positions into `additionalInfo`, connections by index. */
export function graphToMetadata(graph: RuleChainGraph, base: Pick<RuleChainMetaData, 'ruleChainId' | 'version'>): RuleChainMetaData {
  const indexOf = new Map(graph.nodes.map((n, index) => [n.key, index]));
  const connections: NodeConnection[] = graph.connections
    .filter((c) => indexOf.has(c.from) && indexOf.has(c.to))
    .map((c) => ({ fromIndex: indexOf.get(c.from)!, toIndex: indexOf.get(c.to)!, type: c.label }));
  const firstNodeIndex = graph.firstNodeKey === null ? null : (indexOf.get(graph.firstNodeKey) ?? null);
  return {
    ruleChainId: base.ruleChainId,
    version: base.version,
    firstNodeIndex,
    nodes: graph.nodes.map(({ node, position }) => ({ ...node, additionalInfo: { ...node.additionalInfo, ...roundedLayout(position) } })),
    connections,
    ...(graph.notes?.length ? { notes: graph.notes } : {}),
  };
}

/** A node fresh from the palette: the descriptor's default configuration, a name not yet used in the chain. */
export function createNode(descriptor: ComponentDescriptor, position: Point, existing: readonly GraphNode[]): GraphNode {
  const taken = new Set(existing.map((n) => n.node.name));
  let name = descriptor.name;
  for (let i = 2; taken.has(name); i++) name = `${descriptor.name} ${i}`;
  return {
    key: newNodeKey(),
    position,
    node: {
      id: null,
      type: descriptor.clazz,
      name,
      configuration: structuredClone(descriptor.configurationDescriptor.nodeDefinition.defaultConfiguration ?? {}),
      configurationVersion: descriptor.configurationVersion,
      debugSettings: null,
      singletonMode: false,
      queueName: null,
      additionalInfo: { description: '' },
    },
  };
}

/** The graph without these nodes and everything connected to them; the entry moves nowhere if it was removed. */
export function removeNodes(graph: RuleChainGraph, keys: ReadonlySet<string>): RuleChainGraph {
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !keys.has(n.key)),
    connections: graph.connections.filter((c) => !keys.has(c.from) && !keys.has(c.to)),
    firstNodeKey: graph.firstNodeKey !== null && keys.has(graph.firstNodeKey) ? null : graph.firstNodeKey,
  };
}

/** Sets the relation labels from one node to another (none = not connected). */
export function setLabels(graph: RuleChainGraph, from: string, to: string, labels: readonly string[]): RuleChainGraph {
  const others = graph.connections.filter((c) => c.from !== from || c.to !== to);
  return { ...graph, connections: [...others, ...[...new Set(labels)].map((label) => ({ from, to, label }))] };
}

export function labelsBetween(graph: RuleChainGraph, from: string, to: string): string[] {
  return graph.connections.filter((c) => c.from === from && c.to === to).map((c) => c.label);
}

/** What the canvas draws: one line per pair of nodes, carrying all its labels. */
export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  labels: string[];
}

export const edgeId = (from: string, to: string) => `${from}>${to}`;

export function edgesOf(graph: RuleChainGraph): GraphEdge[] {
  const edges = new Map<string, GraphEdge>();
  for (const c of graph.connections) {
    const id = edgeId(c.from, c.to);
    const edge = edges.get(id) ?? { id, from: c.from, to: c.to, labels: [] };
    edge.labels.push(c.label);
    edges.set(id, edge);
  }
  return [...edges.values()];
}

/**
 * Would a connection from → to close a loop? The server refuses cycles ("Can't create circling relations"),
 * so the editor says so before the user saves.
 */
export function wouldCycle(graph: RuleChainGraph, from: string, to: string): boolean {
  if (from === to) return true;
  const next = new Map<string, string[]>();
  for (const c of graph.connections) next.set(c.from, [...(next.get(c.from) ?? []), c.to]);
  const seen = new Set<string>();
  const stack = [to];
  while (stack.length) {
    const key = stack.pop()!;
    if (key === from) return true;
    if (seen.has(key)) continue;
    seen.add(key);
    stack.push(...(next.get(key) ?? []));
  }
  return false;
}

/** Two graphs save the same metadata: what "unsaved changes" compares. */
export const sameGraph = (a: RuleChainGraph, b: RuleChainGraph) =>
  JSON.stringify(graphToMetadata(a, { ruleChainId: { entityType: 'RULE_CHAIN', id: '' } })) ===
  JSON.stringify(graphToMetadata(b, { ruleChainId: { entityType: 'RULE_CHAIN', id: '' } }));
