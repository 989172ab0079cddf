import type { RuleMsg } from '@edgewise/plugin-api';
import { RuleNodeScript } from '@edgewise/plugin-api';
import { scriptNode } from './script-node';

const DEFAULT_SCRIPT = "return '\\nIncoming message:\\n' + JSON.stringify(msg) + '\\nIncoming metadata:\\n' + JSON.stringify(metadata);";

/** What the default script writes, without a trip to the sandbox (ThingsBoard does the same). */
const standardText = (msg: RuleMsg) => `\nIncoming message:\n${msg.data}\nIncoming metadata:\n${JSON.stringify(msg.metadata)}`;

/** "log": writes the text a script builds from the message to the server log (info) and passes the message on. */
export const logNode = scriptNode<RuleNodeScript | undefined>({
  type: 'core/log',
  category: 'action',
  name: 'log',
  description: 'Writes the text a script of msg, metadata and msgType returns to the server log, then passes the message on by Success.',
  relations: ['Success', 'Failure'],
  defaultScript: DEFAULT_SCRIPT,
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbLogNode',
  icon: 'menu',
  async compile(config, init) {
    const configured = config.scriptLang === 'TBEL' ? config.tbelScript : config.jsScript;
    return configured === DEFAULT_SCRIPT ? undefined : RuleNodeScript.compile(init.services.scripts, config);
  },
  async onMsg(script, msg, ctx) {
    ctx.log.info(script ? await script.text(msg) : standardText(msg));
    ctx.tellSuccess(msg);
  },
});
