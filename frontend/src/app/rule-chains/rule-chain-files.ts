import type { RuleChain, RuleChainData, RuleChainMetaData } from './rule-chain.models';

/** ThingsBoard's UI exports one chain as `{ruleChain, metadata}`; files of that shape import into either product. */
export interface RuleChainFile {
  ruleChain: Partial<RuleChain>;
  metadata: Partial<RuleChainMetaData>;
}

/**
 * One chain as a file: like the server's export (rest-api.md §2.6) without what belongs to this installation
 * (tenant, node ids, versions), so importing it anywhere creates a fresh chain.
 */
export function chainFile(chain: RuleChain, metadata: RuleChainMetaData): RuleChainFile {
  return {
    ruleChain: { ...chain, root: false, version: undefined, firstRuleNodeId: null, tenantId: null } as Partial<RuleChain>,
    metadata: {
      ...metadata,
      version: undefined,
      nodes: metadata.nodes.map((node) => ({ ...node, id: null, ruleChainId: null, createdTime: undefined })),
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The import body for a file's JSON: a single-chain file (`{ruleChain, metadata}`, ThingsBoard's UI export) or
 * an export of several (`{ruleChains, metadata}`). Anything else is refused with what was expected.
 */
export function importBody(json: unknown): RuleChainData {
  if (isObject(json) && Array.isArray(json['ruleChains']) && Array.isArray(json['metadata'])) return json as unknown as RuleChainData;
  if (isObject(json) && isObject(json['ruleChain']) && isObject(json['metadata'])) {
    const ruleChain = json['ruleChain'] as Partial<RuleChain>;
    const metadata = json['metadata'] as Partial<RuleChainMetaData>;
    // The server pairs a chain with its metadata by id: give both one when the file has none.
    const id = ruleChain.id?.id ?? metadata.ruleChainId?.id ?? crypto.randomUUID();
    const ref = { entityType: 'RULE_CHAIN' as const, id };
    return { ruleChains: [{ ...ruleChain, id: ref }], metadata: [{ ...metadata, ruleChainId: ref }] };
  }
  throw new Error(
    'This file is not a rule-chain export: expected {"ruleChain": …, "metadata": …} (one chain) or {"ruleChains": […], "metadata": […]}.',
  );
}
