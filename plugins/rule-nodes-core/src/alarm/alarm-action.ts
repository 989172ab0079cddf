/**
 * What the "create alarm" and "clear alarm" nodes share (ThingsBoard's TbAbstractAlarmNode): the alarm type
 * and the details script settings, building details with the script, and announcing a changed alarm.
 */

import type { AlarmView, RuleMsg, RuleNodeContext, RuleNodeInitContext, ScriptsApi } from '@edgewise/plugin-api';
import { RuleNodeScript, SCRIPT_CONFIG_PROPERTIES, type ScriptLang } from '@edgewise/plugin-api';
import { alarmMsgData } from './alarm-json';

export interface AlarmActionConfig {
  /** A template: `${metadataKey}` and `$[dataKey]` are filled from the message. */
  alarmType: string;
  scriptLang: ScriptLang;
  alarmDetailsBuildJs: string;
  alarmDetailsBuildTbel: string;
}

/** ThingsBoard's default details scripts: they carry the previous details over (or start with `{}`). */
export const DEFAULT_DETAILS_JS =
  'var details = {};\nif (metadata.prevAlarmDetails) {\n    details = JSON.parse(metadata.prevAlarmDetails);\n' +
  '    //remove prevAlarmDetails from metadata\n    delete metadata.prevAlarmDetails;\n' +
  '    //now metadata is the same as it comes IN this rule node\n}\n\n\nreturn details;';
export const DEFAULT_DETAILS_TBEL =
  'var details = {};\nif (metadata.prevAlarmDetails != null) {\n    details = JSON.parse(metadata.prevAlarmDetails);\n' +
  "    //remove prevAlarmDetails from metadata\n    metadata.remove('prevAlarmDetails');\n" +
  '    //now metadata is the same as it comes IN this rule node\n}\n\n\nreturn details;';

export const ALARM_ACTION_PROPERTIES = {
  alarmType: {
    type: 'string',
    minLength: 1,
    title: 'Alarm type',
    description: '${metadataKey} and $[dataKey] are filled from the message',
  },
  scriptLang: SCRIPT_CONFIG_PROPERTIES.scriptLang,
  alarmDetailsBuildJs: { type: ['string', 'null'], title: 'Details builder (JavaScript function body)' },
  alarmDetailsBuildTbel: { type: ['string', 'null'], title: 'Details builder (TBEL function body, run as JavaScript)' },
} as const;

export const ALARM_ACTION_DEFAULTS: AlarmActionConfig = {
  alarmType: 'General Alarm',
  scriptLang: 'TBEL',
  alarmDetailsBuildJs: DEFAULT_DETAILS_JS,
  alarmDetailsBuildTbel: DEFAULT_DETAILS_TBEL,
};

const PREV_ALARM_DETAILS = 'prevAlarmDetails';

const normalized = (script: string) => script.replace(/\s+/g, ' ').trim();
const DEFAULT_SCRIPTS = new Set([normalized(DEFAULT_DETAILS_JS), normalized(DEFAULT_DETAILS_TBEL)]);

/**
 * Builds alarm details with the node's script: `metadata.prevAlarmDetails` holds the alarm's current details
 * (as JSON text) when there are any, and the script's result becomes the new details.
 *
 * ThingsBoard's default scripts are recognised and run natively: they only carry the previous details over,
 * and the TBEL one (`metadata.remove(…)`) is not JavaScript, which is how Edgewise runs TBEL.
 */
export class AlarmDetailsBuilder {
  private constructor(private readonly script: RuleNodeScript | undefined) {}

  static async create(scripts: ScriptsApi, config: AlarmActionConfig): Promise<AlarmDetailsBuilder> {
    const lang: ScriptLang = config.scriptLang === 'JS' ? 'JS' : 'TBEL';
    const setting = lang === 'JS' ? 'alarmDetailsBuildJs' : 'alarmDetailsBuildTbel';
    const body = config[setting] ?? '';
    if (DEFAULT_SCRIPTS.has(normalized(body))) return new AlarmDetailsBuilder(undefined);
    try {
      return new AlarmDetailsBuilder(await RuleNodeScript.compile(scripts, { scriptLang: lang, jsScript: body, tbelScript: body }));
    } catch (error) {
      // The shared script helper names its own settings; say which of ours is meant.
      throw new Error(`${setting}: ${(error as Error).message.replace(/^(tbelScript|jsScript)\s*/, '')}`);
    }
  }

  async build(msg: RuleMsg, previousDetails: unknown): Promise<unknown> {
    const hasPrevious = previousDetails !== null && previousDetails !== undefined;
    if (!this.script) return hasPrevious ? previousDetails : {};
    const metadata = hasPrevious ? { ...msg.metadata, [PREV_ALARM_DETAILS]: JSON.stringify(previousDetails) } : msg.metadata;
    return this.script.run({ type: msg.type, metadata, data: msg.data });
  }

  dispose(): void {
    this.script?.dispose();
  }
}

export type AlarmAction =
  | { relation: 'Created'; actionType: 'ENTITY_CREATED' }
  | { relation: 'Updated'; actionType: 'ENTITY_UPDATED' }
  | { relation: 'Cleared'; actionType: 'ALARM_CLEAR' };

const FLAGS = { Created: 'isNewAlarm', Updated: 'isExistingAlarm', Cleared: 'isClearedAlarm' } as const;

/**
 * Announces a changed alarm as ThingsBoard does: first a new `ENTITY_CREATED` / `ENTITY_UPDATED` /
 * `ALARM_CLEAR` message about the alarm is queued for the root chain, then the message itself continues as
 * an `ALARM` message (data: the alarm; metadata flag `isNewAlarm` / `isExistingAlarm` / `isClearedAlarm`).
 */
export async function announceAlarm(msg: RuleMsg, ctx: RuleNodeContext, alarm: AlarmView, action: AlarmAction): Promise<void> {
  const data = alarmMsgData(alarm, ctx.tenantId, msg.customerId);
  const alarmMsg = ctx.transformMsg(msg, { type: 'ALARM', metadata: { ...msg.metadata, [FLAGS[action.relation]]: 'true' }, data });
  try {
    await ctx.enqueue(actionMsg(ctx, msg, alarm, action.actionType, data));
  } catch (error) {
    ctx.tellFailure(alarmMsg, error instanceof Error ? error : String(error));
    return;
  }
  ctx.tellNext(alarmMsg, action.relation);
}

function actionMsg(init: RuleNodeInitContext, msg: RuleMsg, alarm: AlarmView, type: string, data: string): RuleMsg {
  return init.newMsg({ type, originator: alarm.originator, customerId: msg.customerId, metadata: { ruleNodeId: init.self.id }, data });
}
