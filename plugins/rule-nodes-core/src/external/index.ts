import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { mqttNode } from './mqtt';
import { restApiCallNode } from './rest-api-call';
import { sendEmailNode } from './send-email';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const externalNodes: RuleNodeDescriptor<any>[] = [restApiCallNode, mqttNode, sendEmailNode];
