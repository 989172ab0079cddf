import type { AlarmView, EntityId, RuleMsg, RuleNodeContext, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { SCRIPT_CONFIG_VERSIONING } from '../script/script-node';
import { isJsonObject, jsonDataOf } from '../transformation/msg-data';
import { fillTemplate } from '../transformation/templates';
import { ALARM_ACTION_DEFAULTS, ALARM_ACTION_PROPERTIES, AlarmActionConfig, AlarmDetailsBuilder, announceAlarm } from './alarm-action';

/**
 * The active alarm a message is about: with an ALARM originator (alarm messages), that alarm — found through
 * the alarm JSON in the data, since the rule engine's AlarmsApi looks alarms up by originator and type only;
 * otherwise the originator's active alarm of the configured type.
 */
async function alarmToClear(msg: RuleMsg, ctx: RuleNodeContext, type: string): Promise<AlarmView | null> {
  if (msg.originator.entityType !== 'ALARM') return ctx.services.alarms.findActive(msg.originator, type);
  const data = jsonDataOf(msg);
  if (!isJsonObject(data) || !isJsonObject(data.originator) || typeof data.type !== 'string') return null;
  const active = await ctx.services.alarms.findActive(data.originator as unknown as EntityId, data.type);
  return active?.id === msg.originator.id ? active : null;
}

/**
 * "clear alarm" (ThingsBoard's TbClearAlarmNode): clears the originator's active alarm of the configured type
 * (details from the script, which sees the current details in `metadata.prevAlarmDetails`). The message leaves
 * by `Cleared` as an ALARM message carrying the alarm, or unchanged by `False` when there was nothing to clear.
 */
export const clearAlarmNode: RuleNodeDescriptor<AlarmActionConfig> = {
  type: 'core/clear-alarm',
  category: 'action',
  name: 'clear alarm',
  description: "Clears the message originator's active alarm of the given type.",
  relations: ['Cleared', 'False'],
  configSchema: { type: 'object', properties: ALARM_ACTION_PROPERTIES, required: ['alarmType'] },
  defaultConfig: ALARM_ACTION_DEFAULTS,
  ...SCRIPT_CONFIG_VERSIONING,
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbClearAlarmNode',
  icon: 'notifications_off',
  async create(config, init) {
    const details = await AlarmDetailsBuilder.create(init.services.scripts, config);
    return {
      async onMsg(msg, ctx) {
        const alarm = await alarmToClear(msg, ctx, fillTemplate(config.alarmType, msg));
        const cleared =
          alarm &&
          (await ctx.services.alarms.clear(alarm.originator, alarm.type, {
            details: await details.build(msg, alarm.details),
            clearTs: Date.now(),
          }));
        if (!cleared) {
          ctx.tellNext(msg, 'False');
          return;
        }
        await announceAlarm(msg, ctx, cleared.alarm, { relation: 'Cleared', actionType: 'ALARM_CLEAR' });
      },
      destroy() {
        details.dispose();
      },
    };
  },
};
