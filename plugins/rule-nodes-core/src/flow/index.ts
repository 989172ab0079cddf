import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { outputNode } from './output';
import { ruleChainNode } from './rule-chain';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const flowNodes: RuleNodeDescriptor<any>[] = [ruleChainNode, outputNode];
