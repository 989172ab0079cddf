import type { EntityId } from '../core/api-models';

/** ThingsBoard's rule-chain JSON as the Edgewise REST API speaks it (rest-api.md §2). */

export interface RuleChain {
  id: EntityId<'RULE_CHAIN'>;
  createdTime: number;
  name: string;
  type: 'CORE' | 'EDGE';
  root: boolean;
  debugMode: boolean;
  additionalInfo: { description?: string; [key: string]: unknown } | null;
  firstRuleNodeId: EntityId<'RULE_NODE'> | null;
  configuration: Record<string, unknown> | null;
  version?: number;
}

export interface DebugSettings {
  failuresEnabled?: boolean;
  allEnabled?: boolean;
  allEnabledUntil?: number;
}

export interface RuleNode {
  id: EntityId<'RULE_NODE'> | null;
  /** The node's implementation class: a component descriptor's `clazz`. */
  type: string;
  name: string;
  configuration: Record<string, unknown> | null;
  configurationVersion?: number;
  debugSettings?: DebugSettings | null;
  singletonMode?: boolean;
  queueName?: string | null;
  additionalInfo?: { layoutX?: number; layoutY?: number; description?: string; [key: string]: unknown } | null;
  [other: string]: unknown;
}

export interface NodeConnection {
  fromIndex: number;
  toIndex: number;
  /** The relation label, e.g. "Success", "True", "Post telemetry". */
  type: string;
}

export interface RuleChainMetaData {
  ruleChainId: EntityId<'RULE_CHAIN'>;
  version?: number | null;
  firstNodeIndex: number | null;
  nodes: RuleNode[];
  connections: NodeConnection[] | null;
  ruleChainConnections?: unknown[] | null;
  notes?: unknown[];
}

/** Export/import body (rest-api.md §2.6). */
export interface RuleChainData {
  ruleChains: Partial<RuleChain>[];
  metadata: Partial<RuleChainMetaData>[];
}

export interface RuleChainImportResult {
  ruleChainId: EntityId<'RULE_CHAIN'>;
  ruleChainName: string;
  updated?: boolean;
  error?: string;
}

export interface RuleChainVersion {
  version: number;
  createdTime: number;
  userId: EntityId<'USER'> | string | null;
  /** How many nodes that version's graph has. */
  nodes: number;
  current: boolean;
}

export type ComponentType = 'FILTER' | 'ENRICHMENT' | 'TRANSFORMATION' | 'ACTION' | 'EXTERNAL' | 'FLOW';
export const COMPONENT_TYPES: readonly ComponentType[] = ['FILTER', 'ENRICHMENT', 'TRANSFORMATION', 'ACTION', 'EXTERNAL', 'FLOW'];

/** A JSON Schema (draft 2020-12 subset), as the node descriptors carry them. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One entry of the node catalogue (rest-api.md §2.8) plus Edgewise's JSON Schema of the configuration. */
export interface ComponentDescriptor {
  type: ComponentType;
  name: string;
  clazz: string;
  configurationVersion: number;
  configurationDescriptor: {
    nodeDefinition: {
      description: string;
      inEnabled: boolean;
      outEnabled: boolean;
      relationTypes: string[];
      customRelations: boolean;
      defaultConfiguration: Record<string, unknown>;
      icon: string;
    };
  };
  edgewise?: { type: string; plugin: { name: string; version: string }; configSchema: JsonSchema };
}

export type ScriptLang = 'JS' | 'TBEL';

/** POST /api/ruleChain/testScript (rest-api.md §2.7). */
export interface ScriptTestRequest {
  script: string;
  scriptType: 'update' | 'generate' | 'filter' | 'switch' | 'json' | 'string';
  argNames: string[];
  /** JSON text of the message body. */
  msg: string;
  metadata: Record<string, string>;
  msgType: string;
}

export interface ScriptTestResult {
  output: string;
  error: string;
}

/** An event of the rule-node debug log (rest-api.md §4.2). */
export interface DebugEvent {
  id: { id: string };
  createdTime: number;
  body: {
    type: 'IN' | 'OUT';
    msgType: string;
    relationType?: string | null;
    data?: string | null;
    metadata?: string | null;
    error?: string | null;
    entityId: string;
  };
}
