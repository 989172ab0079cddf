import type { RuleMsg, RuleNodeDescriptor } from '@edgewise/plugin-api';
import {
  RuleNodeScript,
  SCRIPT_CONFIG_PROPERTIES,
  SCRIPT_CONFIG_VERSION,
  ScriptConfig,
  withExplicitScriptLang,
} from '@edgewise/plugin-api';

const DEFAULT_SCRIPT = "return '\\nIncoming message:\\n' + JSON.stringify(msg) + '\\nIncoming metadata:\\n' + JSON.stringify(metadata);";

/** What the default script writes, without a trip to the sandbox (ThingsBoard does the same). */
const standardText = (msg: RuleMsg) => `\nIncoming message:\n${msg.data}\nIncoming metadata:\n${JSON.stringify(msg.metadata)}`;

/** "log": writes the text a script builds from the message to the server log (info) and passes the message on. */
export const logNode: RuleNodeDescriptor<ScriptConfig> = {
  type: 'core/log',
  category: 'action',
  name: 'log',
  description: 'Writes the text a script of msg, metadata and msgType returns to the server log, then passes the message on by Success.',
  relations: ['Success', 'Failure'],
  configSchema: { type: 'object', properties: SCRIPT_CONFIG_PROPERTIES, required: ['scriptLang'] },
  defaultConfig: { scriptLang: 'TBEL', jsScript: DEFAULT_SCRIPT, tbelScript: DEFAULT_SCRIPT },
  configVersion: SCRIPT_CONFIG_VERSION,
  upgrade: (_fromVersion, oldConfig) => withExplicitScriptLang(oldConfig),
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbLogNode',
  icon: 'menu',
  async create(config, init) {
    const configured = config.scriptLang === 'TBEL' ? config.tbelScript : config.jsScript;
    const script = configured === DEFAULT_SCRIPT ? undefined : await RuleNodeScript.compile(init.services.scripts, config);
    return {
      async onMsg(msg, ctx) {
        ctx.log.info(script ? await script.text(msg) : standardText(msg));
        ctx.tellSuccess(msg);
      },
      destroy: () => script?.dispose(),
    };
  },
};
