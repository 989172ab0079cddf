import { COMPONENT_TYPES, ComponentDescriptor, ComponentType } from './rule-chain.models';

const LABELS: Record<ComponentType, string> = {
  FILTER: 'Filter',
  ENRICHMENT: 'Enrichment',
  TRANSFORMATION: 'Transformation',
  ACTION: 'Action',
  EXTERNAL: 'External',
  FLOW: 'Flow',
};

export interface PaletteGroup {
  type: ComponentType;
  label: string;
  nodes: ComponentDescriptor[];
}

/**
 * The palette's sections in ThingsBoard's category order, nodes by name; a search keeps the nodes whose
 * name, category or description contains every word typed.
 */
export function paletteGroups(components: readonly ComponentDescriptor[], query: string): PaletteGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (c: ComponentDescriptor) => {
    const text = `${c.name} ${LABELS[c.type] ?? c.type} ${c.configurationDescriptor.nodeDefinition.description}`.toLowerCase();
    return words.every((word) => text.includes(word));
  };
  return COMPONENT_TYPES.map((type) => ({
    type,
    label: LABELS[type],
    nodes: components.filter((c) => c.type === type && matches(c)).sort((a, b) => a.name.localeCompare(b.name)),
  })).filter((group) => group.nodes.length > 0);
}
