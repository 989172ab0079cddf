import type { RuleChainEntity, RuleNodeEntity } from './rule-chain.entity';

const ref = (entityType: string, id: string | null) => (id ? { entityType, id } : null);

/** RuleChain JSON (rest-api.md §2.2). */
export function ruleChainJson(chain: RuleChainEntity) {
  return {
    id: ref('RULE_CHAIN', chain.id),
    createdTime: chain.createdTime,
    additionalInfo: chain.additionalInfo,
    tenantId: ref('TENANT', chain.tenantId),
    name: chain.name,
    type: chain.type,
    firstRuleNodeId: ref('RULE_NODE', chain.firstRuleNodeId),
    root: chain.root,
    debugMode: chain.debugMode,
    configuration: chain.configuration,
    externalId: ref('RULE_CHAIN', chain.externalId),
    version: chain.version,
  };
}

export function ruleNodeJson(node: RuleNodeEntity) {
  return {
    id: ref('RULE_NODE', node.id),
    createdTime: node.createdTime,
    additionalInfo: node.additionalInfo,
    ruleChainId: ref('RULE_CHAIN', node.ruleChainId),
    type: node.type,
    name: node.name,
    debugSettings: node.debugSettings,
    singletonMode: node.singletonMode,
    queueName: node.queueName,
    configurationVersion: node.configurationVersion,
    configuration: node.configuration,
    externalId: ref('RULE_NODE', node.externalId),
  };
}

export type RuleChainMetaDataJson = ReturnType<typeof ruleChainMetadataJson>;

/**
 * RuleChainMetaData JSON (rest-api.md §2.3): nodes in their stored order (connections refer to positions),
 * connections sorted by from, to, label; `notes` only when there are some.
 */
export function ruleChainMetadataJson(chain: RuleChainEntity, nodes: readonly RuleNodeEntity[]) {
  const ordered = [...nodes].sort((a, b) => a.position - b.position);
  const firstIndex = ordered.findIndex((n) => n.id === chain.firstRuleNodeId);
  const connections =
    chain.connections === null
      ? null
      : [...chain.connections].sort((a, b) => a.fromIndex - b.fromIndex || a.toIndex - b.toIndex || a.type.localeCompare(b.type));
  return {
    ruleChainId: ref('RULE_CHAIN', chain.id),
    version: chain.version,
    firstNodeIndex: firstIndex >= 0 ? firstIndex : null,
    nodes: ordered.map(ruleNodeJson),
    connections,
    ruleChainConnections: null,
    ...(chain.notes?.length ? { notes: chain.notes } : {}),
  };
}
