import type { AlarmSeverity, EntityId, RuleMsg, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { metadataTs } from '../action/message-values';
import { SCRIPT_CONFIG_VERSIONING } from '../script/script-node';
import { isJsonObject, requireJsonData } from '../transformation/msg-data';
import { fillTemplate } from '../transformation/templates';
import { ALARM_ACTION_DEFAULTS, ALARM_ACTION_PROPERTIES, AlarmActionConfig, AlarmDetailsBuilder, announceAlarm } from './alarm-action';
import { SEVERITIES } from './alarm-rules/profile-alarms';

export interface CreateAlarmConfig extends AlarmActionConfig {
  /** A severity name, or with `dynamicSeverity` a template such as `${severity}`. */
  severity: string;
  propagate: boolean;
  propagateToOwner: boolean;
  propagateToTenant: boolean;
  /** Take the alarm from the message data (an Alarm JSON) instead of this configuration. */
  useMessageAlarmData: boolean;
  /** With `useMessageAlarmData`: build the details with the script rather than taking the message's. */
  overwriteAlarmDetails: boolean;
  dynamicSeverity: boolean;
  /** Relation types `propagate` follows; empty: any. */
  relationTypes: string[] | null;
}

const isSeverity = (value: unknown): value is AlarmSeverity => (SEVERITIES as readonly unknown[]).includes(value);

/** The alarm a message carries in its data when `useMessageAlarmData` is on. */
interface MessageAlarm {
  type: string;
  severity: AlarmSeverity;
  originator: EntityId;
  details: unknown;
  startTs?: number;
  endTs?: number;
  propagate: boolean;
  propagateToOwner: boolean;
  propagateToTenant: boolean;
  propagateRelationTypes: string[] | null;
}

function messageAlarm(msg: RuleMsg): MessageAlarm {
  const data = requireJsonData(msg, 'useMessageAlarmData expects an alarm, e.g. {"type": "High Temperature", "severity": "MAJOR"}');
  if (!isJsonObject(data)) throw new Error('useMessageAlarmData expects the message data to be an alarm object');
  if (typeof data.type !== 'string' || !data.type)
    throw new Error('The alarm in the message data has no "type": give it one, or turn useMessageAlarmData off');
  if (!isSeverity(data.severity)) {
    throw new Error(`The alarm in the message data has severity ${JSON.stringify(data.severity)}: use one of ${SEVERITIES.join(', ')}`);
  }
  const originator =
    isJsonObject(data.originator) && typeof data.originator.id === 'string' ? (data.originator as unknown as EntityId) : msg.originator;
  const ts = (value: unknown) => (typeof value === 'number' && value > 0 ? value : undefined);
  return {
    type: data.type,
    severity: data.severity,
    originator,
    details: data.details ?? null,
    startTs: ts(data.startTs),
    endTs: ts(data.endTs),
    propagate: data.propagate === true,
    propagateToOwner: data.propagateToOwner === true,
    propagateToTenant: data.propagateToTenant === true,
    propagateRelationTypes: Array.isArray(data.propagateRelationTypes) ? data.propagateRelationTypes.map(String) : null,
  };
}

/**
 * "create alarm" (ThingsBoard's TbCreateAlarmNode): raises an alarm on the message's originator, or updates
 * the active one of the same type (severity, details, propagation; `endTs` becomes now). The message leaves
 * by `Created` or `Updated` as an ALARM message carrying the alarm.
 */
export const createAlarmNode: RuleNodeDescriptor<CreateAlarmConfig> = {
  type: 'core/create-alarm',
  category: 'action',
  name: 'create alarm',
  description: 'Creates an alarm on the message originator, or updates its active alarm of the same type.',
  relations: ['Created', 'Updated', 'False'],
  configSchema: {
    type: 'object',
    properties: {
      ...ALARM_ACTION_PROPERTIES,
      severity: {
        type: 'string',
        minLength: 1,
        title: 'Severity',
        description: 'CRITICAL, MAJOR, MINOR, WARNING or INDETERMINATE (a template with dynamicSeverity)',
      },
      propagate: { type: 'boolean', title: 'Propagate to related entities' },
      propagateToOwner: { type: 'boolean', title: 'Propagate to the owner (customer or tenant)' },
      propagateToTenant: { type: 'boolean', title: 'Propagate to the tenant' },
      useMessageAlarmData: { type: 'boolean', title: 'Use the alarm in the message data' },
      overwriteAlarmDetails: { type: 'boolean', title: 'Build details with the script even when the message carries an alarm' },
      dynamicSeverity: { type: 'boolean', title: 'Severity is a template (e.g. ${severity})' },
      relationTypes: { type: ['array', 'null'], items: { type: 'string' }, title: 'Relation types to propagate along (empty: any)' },
    },
    required: ['alarmType', 'severity'],
  },
  defaultConfig: {
    ...ALARM_ACTION_DEFAULTS,
    severity: 'CRITICAL',
    propagate: false,
    propagateToOwner: false,
    propagateToTenant: false,
    useMessageAlarmData: false,
    overwriteAlarmDetails: false,
    dynamicSeverity: false,
    relationTypes: [],
  },
  ...SCRIPT_CONFIG_VERSIONING,
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbCreateAlarmNode',
  icon: 'notifications_active',
  async create(config, init) {
    if (!config.dynamicSeverity && !isSeverity(config.severity)) {
      throw new Error(
        `Incorrect Alarm Severity value: ${config.severity} (use one of ${SEVERITIES.join(', ')}, or turn dynamicSeverity on for a template)`,
      );
    }
    const details = await AlarmDetailsBuilder.create(init.services.scripts, config);
    // As in ThingsBoard, details come from the script unless the message's alarm brings its own.
    const buildDetails = !config.useMessageAlarmData || config.overwriteAlarmDetails;
    const propagation = {
      propagate: config.propagate,
      propagateToOwner: config.propagateToOwner,
      propagateToTenant: config.propagateToTenant,
      propagateRelationTypes: config.relationTypes ?? [],
    };
    const severityOf = (msg: RuleMsg): AlarmSeverity => {
      const severity = fillTemplate(config.severity, msg);
      if (!isSeverity(severity)) {
        throw new Error(
          `Used incorrect pattern or Alarm Severity not included in message: severity "${config.severity}" gave "${severity}"`,
        );
      }
      return severity;
    };
    return {
      async onMsg(msg, ctx) {
        const fromMsg = config.useMessageAlarmData ? messageAlarm(msg) : undefined;
        const type = fromMsg?.type ?? fillTemplate(config.alarmType, msg);
        const alarms = ctx.services.alarms;
        const existing = await alarms.findActive(msg.originator, type);
        const built = buildDetails ? await details.build(msg, existing?.details) : undefined;
        let change;
        if (fromMsg) {
          const { type: _type, severity, originator, details: ownDetails, startTs, endTs, ...fromPropagation } = fromMsg;
          const timing = existing ? { endTs: Date.now() } : { startTs, endTs };
          change = await alarms.raise({
            originator: existing ? msg.originator : originator,
            type,
            severity,
            details: buildDetails ? built : ownDetails,
            ...fromPropagation,
            ...timing,
          });
        } else {
          const timing = existing ? { endTs: Date.now() } : { startTs: metadataTs(msg), endTs: metadataTs(msg) };
          change = await alarms.raise({
            originator: msg.originator,
            type,
            severity: severityOf(msg),
            details: built,
            ...propagation,
            ...timing,
          });
        }
        await announceAlarm(
          msg,
          ctx,
          change.alarm,
          change.outcome === 'CREATED'
            ? { relation: 'Created', actionType: 'ENTITY_CREATED' }
            : { relation: 'Updated', actionType: 'ENTITY_UPDATED' },
        );
      },
      destroy() {
        details.dispose();
      },
    };
  },
};
