import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { calculateDeltaNode } from './calculate-delta';
import { customerAttributesNode } from './customer-attributes';
import { originatorAttributesNode } from './originator-attributes';
import { originatorFieldsNode } from './originator-fields';
import { relatedEntityDataNode } from './related-entity-data';
import { tenantAttributesNode } from './tenant-attributes';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const enrichmentNodes: RuleNodeDescriptor<any>[] = [
  originatorAttributesNode,
  originatorFieldsNode,
  relatedEntityDataNode,
  customerAttributesNode,
  tenantAttributesNode,
  calculateDeltaNode,
];
