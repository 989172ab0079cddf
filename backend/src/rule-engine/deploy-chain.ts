import type { RuleEngineServices } from '@edgewise/plugin-api';
import { pluginLogger } from '../plugins/plugin-logger';
import type { RuleChainEntity, RuleNodeEntity } from '../rule-chains/rule-chain.entity';
import { ChainRuntime, type EngineHooks, NodeRuntime } from './chain-runtime';
import type { RuleNodeRegistry } from '../plugins/rule-node-registry';

export type DeployResult = { ok: true; chain: ChainRuntime } | { ok: false; reason: string };

/**
 * Builds the running form of a stored chain: every node created from its validated configuration and
 * wired by relation label. Refuses (with a reason naming the nodes) when a node type is not installed,
 * a configuration is invalid, or a node cannot start; nothing is left running then.
 */
export async function deployChain(
  stored: RuleChainEntity,
  storedNodes: readonly RuleNodeEntity[],
  registry: RuleNodeRegistry,
  engine: EngineHooks,
  services: RuleEngineServices,
): Promise<DeployResult> {
  const unsupported = registry.unsupported(storedNodes);
  if (unsupported.length) {
    return { ok: false, reason: `rule chain "${stored.name}" uses node types this installation does not have: ${unsupported.join(', ')}` };
  }
  const chain = new ChainRuntime(stored.id, stored.name, stored.tenantId, stored.version);
  const ordered = [...storedNodes].sort((a, b) => a.position - b.position);
  for (const entity of ordered) {
    const registered = registry.find(entity.type)!;
    const prepared = registry.prepareConfig(registered, entity.configuration, entity.configurationVersion);
    if (!prepared.ok) {
      chain.destroy();
      return { ok: false, reason: `'${entity.name}' node configuration is invalid: ${prepared.reason}` };
    }
    const debug = entity.debugSettings
      ? { failuresEnabled: entity.debugSettings.failuresEnabled, allEnabledUntil: entity.debugSettings.allEnabledUntil }
      : null;
    const log = pluginLogger(`rule-node:${registered.descriptor.type}`, { ruleNodeId: entity.id, ruleChainId: chain.id });
    const node = new NodeRuntime(entity.id, entity.name, chain, engine, services, log, debug);
    try {
      node.instance = await registered.descriptor.create(prepared.configuration, node.init);
    } catch (error) {
      chain.destroy();
      return { ok: false, reason: `'${entity.name}' node cannot start: ${(error as Error).message}` };
    }
    chain.nodes.push(node);
  }
  for (const connection of stored.connections ?? []) {
    const from = chain.nodes[connection.fromIndex];
    const to = chain.nodes[connection.toIndex];
    if (from && to) from.connect(connection.type, to);
  }
  chain.firstNode = chain.nodes.find((n) => n.id === stored.firstRuleNodeId) ?? null;
  return { ok: true, chain };
}
