import type { RuleNodeDescriptor } from '@edgewise/plugin-api';

export interface CheckpointConfig {
  /** The queue the message continues on. */
  queueName: string;
}

/**
 * "checkpoint": moves the message to another queue and continues from this node's Success there; the message
 * on the current queue is acknowledged once the other queue holds it.
 *
 * ThingsBoard keeps the queue on the rule node itself (`queueName` beside `configuration`, since version 1);
 * here it is part of the configuration, so importing a ThingsBoard chain copies it in.
 */
export const checkpointNode: RuleNodeDescriptor<CheckpointConfig> = {
  type: 'core/checkpoint',
  category: 'flow',
  name: 'checkpoint',
  description: 'Transfers the message to another queue and acknowledges it on the current one.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      queueName: { type: 'string', minLength: 1, default: 'Main', title: 'Queue' },
    },
    required: ['queueName'],
  },
  defaultConfig: { queueName: 'Main' },
  // Version 0 held the queue in the configuration, as this node still does: nothing to change.
  configVersion: 1,
  upgrade: (_fromVersion, oldConfig) => oldConfig,
  thingsboardClass: 'org.thingsboard.rule.engine.flow.TbCheckpointNode',
  icon: 'flag',
  create(config, init) {
    if (!config.queueName) throw new Error('Choose the queue to transfer messages to (queueName is empty)');
    const options = { queueName: config.queueName };
    return {
      async onMsg(msg, ctx) {
        await init.enqueueForTellNext(msg, 'Success', options);
        ctx.ack(msg);
      },
    };
  },
};
