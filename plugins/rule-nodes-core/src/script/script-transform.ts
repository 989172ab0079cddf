import { scriptNode } from './script-node';

/**
 * "script" transformation: the script returns `{msg, metadata, msgType}` (parts it leaves out stay as they
 * were) or an array of them. One result continues as the same message; several are queued as new messages,
 * each by Success, and the original ends here once all are queued, as in ThingsBoard.
 */
export const scriptTransformNode = scriptNode({
  type: 'core/script-transform',
  category: 'transformation',
  name: 'script',
  description:
    'Changes the message payload, metadata or type with a script returning {msg, metadata, msgType}, or splits it by returning an array.',
  relations: ['Success', 'Failure'],
  defaultScript: 'return {msg: msg, metadata: metadata, msgType: msgType};',
  thingsboardClass: 'org.thingsboard.rule.engine.transform.TbTransformMsgNode',
  icon: 'transform',
  async onMsg(script, msg, ctx) {
    const results = await script.update(msg);
    if (results.length === 1) return ctx.tellSuccess(ctx.transformMsg(msg, results[0]));
    const parts = results.map(({ type, metadata, data }) =>
      ctx.newMsg({
        type,
        originator: msg.originator,
        customerId: msg.customerId,
        metadata: { ...metadata },
        data,
        dataType: msg.dataType,
        queueName: msg.queueName,
      }),
    );
    await Promise.all(parts.map((part) => ctx.enqueueForTellNext(part, 'Success')));
    ctx.ack(msg);
  },
});
