import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import {
  RuleNodeScript,
  SCRIPT_CONFIG_PROPERTIES,
  SCRIPT_CONFIG_VERSION,
  ScriptConfig,
  withExplicitScriptLang,
} from '@edgewise/plugin-api';

const DEFAULT_SCRIPT = 'return msg.temperature > 20;';

/** "script" filter: routes by True or False as the script decides. */
export const scriptFilterNode: RuleNodeDescriptor<ScriptConfig> = {
  type: 'core/script-filter',
  category: 'filter',
  name: 'script',
  description: 'Routes the message by True or False as a script of msg, metadata and msgType decides (e.g. return msg.temperature > 20;).',
  relations: ['True', 'False', 'Failure'],
  configSchema: { type: 'object', properties: SCRIPT_CONFIG_PROPERTIES, required: ['scriptLang'] },
  defaultConfig: { scriptLang: 'TBEL', jsScript: DEFAULT_SCRIPT, tbelScript: DEFAULT_SCRIPT },
  configVersion: SCRIPT_CONFIG_VERSION,
  upgrade: (_fromVersion, oldConfig) => withExplicitScriptLang(oldConfig),
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbJsFilterNode',
  icon: 'functions',
  async create(config, init) {
    const script = await RuleNodeScript.compile(init.services.scripts, config);
    return {
      async onMsg(msg, ctx) {
        ctx.tellNext(msg, (await script.filter(msg)) ? 'True' : 'False');
      },
      destroy: () => script.dispose(),
    };
  },
};
