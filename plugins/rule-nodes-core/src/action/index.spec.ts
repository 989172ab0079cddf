import { definePlugin } from '@edgewise/plugin-api';
import { describe, expect, it } from 'vitest';
import { actionNodes } from '.';

describe('action nodes', () => {
  it('stand for ThingsBoard’s action and flow nodes under their class names', () => {
    expect(Object.fromEntries(actionNodes.map((node) => [node.thingsboardClass, node.type]))).toEqual({
      'org.thingsboard.rule.engine.telemetry.TbMsgTimeseriesNode': 'core/save-timeseries',
      'org.thingsboard.rule.engine.telemetry.TbMsgAttributesNode': 'core/save-attributes',
      'org.thingsboard.rule.engine.telemetry.TbMsgDeleteAttributesNode': 'core/delete-attributes',
      'org.thingsboard.rule.engine.rpc.TbSendRPCRequestNode': 'core/rpc-call-request',
      'org.thingsboard.rule.engine.rpc.TbSendRPCReplyNode': 'core/rpc-call-reply',
      'org.thingsboard.rule.engine.action.TbMsgCountNode': 'core/message-count',
      'org.thingsboard.rule.engine.delay.TbMsgDelayNode': 'core/delay',
      'org.thingsboard.rule.engine.action.TbCreateRelationNode': 'core/create-relation',
      'org.thingsboard.rule.engine.action.TbDeleteRelationNode': 'core/delete-relation',
      'org.thingsboard.rule.engine.action.TbAssignToCustomerNode': 'core/assign-to-customer',
      'org.thingsboard.rule.engine.action.TbUnassignFromCustomerNode': 'core/unassign-from-customer',
      'org.thingsboard.rule.engine.math.TbMathNode': 'core/math-function',
      'org.thingsboard.rule.engine.flow.TbCheckpointNode': 'core/checkpoint',
      'org.thingsboard.rule.engine.flow.TbAckNode': 'core/acknowledge',
    });
  });

  it('form a valid plugin, each versioned node with an upgrade step', () => {
    expect(() => definePlugin({ name: 'action-nodes', version: '0.0.0', ruleNodes: actionNodes })).not.toThrow();
    for (const node of actionNodes) {
      expect(Boolean(node.upgrade), node.type).toBe(Boolean(node.configVersion));
      expect(node.icon, node.type).toBeTruthy();
    }
  });
});
