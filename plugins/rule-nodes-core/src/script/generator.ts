import type { EntityId, EntityType, RuleMsg, RuleNodeDescriptor, RuleNodeInitContext } from '@edgewise/plugin-api';
import { MsgParts, RuleNodeScript, SCRIPT_CONFIG_PROPERTIES, ScriptConfig, withExplicitScriptLang } from '@edgewise/plugin-api';

export interface GeneratorConfig extends ScriptConfig {
  /** Messages to generate; 0 = no limit. */
  msgCount: number;
  periodInSeconds: number;
  /** The originator's id, unless it is this rule node or the tenant. */
  originatorId?: string | null;
  originatorType: EntityType;
}

const DEFAULT_SCRIPT = [
  'var msg = { temp: 42, humidity: 77 };',
  'var metadata = { data: 40 };',
  'var msgType = "POST_TELEMETRY_REQUEST";',
  '',
  'return { msg: msg, metadata: metadata, msgType: msgType };',
].join('\n');

/** Originators ThingsBoard's generator accepts. */
const ORIGINATOR_TYPES: readonly EntityType[] = [
  'DEVICE',
  'ASSET',
  'ENTITY_VIEW',
  'TENANT',
  'CUSTOMER',
  'USER',
  'DASHBOARD',
  'EDGE',
  'RULE_NODE',
];

/** What the script sees as the previous message before it made one. */
const NO_PREVIOUS: MsgParts = { type: '', metadata: {}, data: '{}' };

async function originatorOf(config: GeneratorConfig, init: RuleNodeInitContext): Promise<EntityId> {
  if (!ORIGINATOR_TYPES.includes(config.originatorType)) {
    throw new Error(`Originator type '${config.originatorType}' is not supported: use one of ${ORIGINATOR_TYPES.join(', ')}`);
  }
  if (config.originatorType === 'RULE_NODE') return { entityType: 'RULE_NODE', id: init.self.id };
  if (config.originatorType === 'TENANT') return { entityType: 'TENANT', id: init.tenantId };
  if (!config.originatorId?.trim()) throw new Error('Originator entity must be selected (originatorId is empty)');
  const originator: EntityId = { entityType: config.originatorType, id: config.originatorId };
  if (!(await init.services.entities.get(originator))) {
    throw new Error(`Originator ${config.originatorType} ${config.originatorId} does not exist in this tenant: select another originator`);
  }
  return originator;
}

/**
 * "generator": every periodInSeconds, runs its script on the previous generated message (`prevMsg`,
 * `prevMetadata`, `prevMsgType`) and queues what it returns as a new message by Success, up to msgCount
 * messages (0 = no limit). It has no input. A failing run logs the error and sends ThingsBoard's timer
 * message (GENERATOR_NODE_SELF_MSG from this node, with metadata `error`) by Failure; that run counts and
 * the schedule goes on, as in ThingsBoard.
 */
export const generatorNode: RuleNodeDescriptor<GeneratorConfig> = {
  type: 'core/generator',
  category: 'action',
  name: 'generator',
  description: 'Periodically generates messages with a script; each run sees the previous generated message.',
  relations: ['Success', 'Failure'],
  inEnabled: false,
  configSchema: {
    type: 'object',
    properties: {
      msgCount: { type: 'integer', minimum: 0, title: 'Message count (0 = unlimited)' },
      periodInSeconds: { type: 'integer', minimum: 1, title: 'Period in seconds' },
      originatorType: { type: 'string', enum: ORIGINATOR_TYPES, title: 'Originator type' },
      originatorId: { type: ['string', 'null'], title: 'Originator id (not for RULE_NODE and TENANT)' },
      ...SCRIPT_CONFIG_PROPERTIES,
    },
    required: ['msgCount', 'periodInSeconds', 'originatorType', 'scriptLang'],
  },
  defaultConfig: {
    msgCount: 0,
    periodInSeconds: 1,
    originatorType: 'RULE_NODE',
    scriptLang: 'TBEL',
    jsScript: DEFAULT_SCRIPT,
    tbelScript: DEFAULT_SCRIPT,
  },
  configVersion: 2,
  upgrade(fromVersion, oldConfig) {
    let config = withExplicitScriptLang(oldConfig);
    if (fromVersion < 1) {
      // Version 1 moved the queue choice from the configuration to the node.
      const { queueName: _queueName, ...rest } = config;
      config = rest;
    }
    if (fromVersion < 2) {
      // Version 2 made the originator explicit; without a complete one, the node itself originates.
      const complete =
        typeof config.originatorType === 'string' && typeof config.originatorId === 'string' && config.originatorId.trim() !== '';
      if (!complete) config = { ...config, originatorType: 'RULE_NODE' };
    }
    return config;
  },
  thingsboardClass: 'org.thingsboard.rule.engine.debug.TbMsgGeneratorNode',
  icon: 'repeat',
  async create(config, init) {
    if (!Number.isInteger(config.periodInSeconds) || config.periodInSeconds < 1) {
      throw new Error(`periodInSeconds must be a whole number of seconds, at least 1 (was ${String(config.periodInSeconds)})`);
    }
    const originator = await originatorOf(config, init);
    const script = await RuleNodeScript.compile(init.services.scripts, config, ['prevMsg', 'prevMetadata', 'prevMsgType']);
    const periodMs = config.periodInSeconds * 1000;
    let previous: MsgParts = NO_PREVIOUS;
    let generated = 0;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    // Runs are planned on a fixed grid from the start, so slow scripts or late timers do not make them drift.
    let nextRunAt = Date.now();

    const scheduleRun = () => {
      if (stopped || (config.msgCount > 0 && generated >= config.msgCount)) return;
      nextRunAt += periodMs;
      timer = setTimeout(() => void run(), Math.max(0, nextRunAt - Date.now()));
    };

    const emit = (msg: RuleMsg, relation: string) =>
      init.enqueueForTellNext(msg, relation).catch((error: unknown) => {
        init.log.error('generator: could not queue the generated message', { error: String(error) });
      });

    const run = async () => {
      try {
        const parts = await script.generate(previous);
        if (stopped) return;
        previous = parts;
        await emit(init.newMsg({ ...parts, metadata: { ...parts.metadata }, originator }), 'Success');
      } catch (error) {
        if (stopped) return;
        const message = error instanceof Error ? error.message : String(error);
        init.log.error(`generator: the script failed: ${message}`);
        // ThingsBoard fails its own timer message; the reason travels in metadata `error` here.
        const timerMsg = init.newMsg({
          type: 'GENERATOR_NODE_SELF_MSG',
          originator: { entityType: 'RULE_NODE', id: init.self.id },
          metadata: { error: message },
          data: '',
          dataType: 'TEXT',
        });
        await emit(timerMsg, 'Failure');
      }
      generated++;
      scheduleRun();
    };
    scheduleRun();

    return {
      onMsg() {
        throw new Error('The generator has no input: it only sends the messages it generates');
      },
      destroy() {
        stopped = true;
        clearTimeout(timer);
        script.dispose();
      },
    };
  },
};
