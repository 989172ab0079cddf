import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { acknowledgeNode } from './acknowledge';
import { assignToCustomerNode } from './assign-to-customer';
import { checkpointNode } from './checkpoint';
import { createRelationNode } from './create-relation';
import { delayNode } from './delay';
import { deleteAttributesNode } from './delete-attributes';
import { deleteRelationNode } from './delete-relation';
import { mathFunctionNode } from './math-function';
import { messageCountNode } from './message-count';
import { rpcCallReplyNode } from './rpc-call-reply';
import { rpcCallRequestNode } from './rpc-call-request';
import { saveAttributesNode } from './save-attributes';
import { saveTimeseriesNode } from './save-timeseries';
import { unassignFromCustomerNode } from './unassign-from-customer';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const actionNodes: RuleNodeDescriptor<any>[] = [
  saveTimeseriesNode,
  saveAttributesNode,
  deleteAttributesNode,
  rpcCallRequestNode,
  rpcCallReplyNode,
  messageCountNode,
  delayNode,
  createRelationNode,
  deleteRelationNode,
  assignToCustomerNode,
  unassignFromCustomerNode,
  mathFunctionNode,
  checkpointNode,
  acknowledgeNode,
];
