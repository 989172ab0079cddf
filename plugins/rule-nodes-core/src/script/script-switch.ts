import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import {
  RuleNodeScript,
  SCRIPT_CONFIG_PROPERTIES,
  SCRIPT_CONFIG_VERSION,
  ScriptConfig,
  withExplicitScriptLang,
} from '@edgewise/plugin-api';

/** ThingsBoard's default scripts differ only in the comparison operator. */
const defaultScript = (equals: string) =>
  [
    'function nextRelation(metadata, msg) {',
    "    return ['one','nine'];",
    '}',
    `if(msgType ${equals} 'POST_TELEMETRY_REQUEST') {`,
    "    return ['two'];",
    '}',
    'return nextRelation(metadata, msg);',
  ].join('\n');

/** "switch": routes by every relation name the script returns; none ends the message here. */
export const scriptSwitchNode: RuleNodeDescriptor<ScriptConfig> = {
  type: 'core/script-switch',
  category: 'filter',
  name: 'switch',
  description: 'Routes the message by the relation name(s) a script of msg, metadata and msgType returns; an empty array ends it here.',
  relations: ['Failure'],
  customRelations: true,
  configSchema: { type: 'object', properties: SCRIPT_CONFIG_PROPERTIES, required: ['scriptLang'] },
  defaultConfig: { scriptLang: 'TBEL', jsScript: defaultScript('==='), tbelScript: defaultScript('==') },
  configVersion: SCRIPT_CONFIG_VERSION,
  upgrade: (_fromVersion, oldConfig) => withExplicitScriptLang(oldConfig),
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbJsSwitchNode',
  icon: 'call_split',
  async create(config, init) {
    const script = await RuleNodeScript.compile(init.services.scripts, config);
    return {
      async onMsg(msg, ctx) {
        const relations = await script.relations(msg);
        if (relations.length === 0) ctx.ack(msg);
        else ctx.tellNext(msg, relations);
      },
      destroy: () => script.dispose(),
    };
  },
};
