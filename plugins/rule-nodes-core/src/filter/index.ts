import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { checkFieldsPresenceNode } from './check-fields-presence';
import { checkRelationPresenceNode } from './check-relation-presence';
import { messageTypeFilterNode } from './message-type-filter';
import { messageTypeSwitchNode } from './message-type-switch';
import { originatorTypeFilterNode } from './originator-type-filter';
import { originatorTypeSwitchNode } from './originator-type-switch';
import { assetProfileSwitchNode, deviceProfileSwitchNode } from './profile-switch';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const filterNodes: RuleNodeDescriptor<any>[] = [
  messageTypeSwitchNode,
  messageTypeFilterNode,
  checkFieldsPresenceNode,
  checkRelationPresenceNode,
  originatorTypeFilterNode,
  originatorTypeSwitchNode,
  deviceProfileSwitchNode,
  assetProfileSwitchNode,
];
