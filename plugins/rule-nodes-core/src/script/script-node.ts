import type { RuleMsg, RuleNodeContext, RuleNodeDescriptor, RuleNodeInitContext } from '@edgewise/plugin-api';
import {
  RuleNodeScript,
  SCRIPT_CONFIG_PROPERTIES,
  SCRIPT_CONFIG_VERSION,
  ScriptConfig,
  withExplicitScriptLang,
} from '@edgewise/plugin-api';

/**
 * Configuration version 1 always names its script language: ThingsBoard runs a configuration without one (saved
 * before TBEL existed) with its JavaScript, while the core would fill the TBEL default in.
 */
export const SCRIPT_CONFIG_VERSIONING = {
  configVersion: SCRIPT_CONFIG_VERSION,
  upgrade: (_fromVersion: number, oldConfig: Record<string, unknown>) => withExplicitScriptLang(oldConfig),
};

type ScriptNodeInfo = Pick<
  RuleNodeDescriptor<ScriptConfig>,
  'type' | 'category' | 'name' | 'description' | 'relations' | 'customRelations' | 'thingsboardClass' | 'icon'
>;

/** A node whose whole configuration is one message script (ThingsBoard's ScriptConfig). */
export interface ScriptNodeSpec<S extends RuleNodeScript | undefined> extends ScriptNodeInfo {
  /** The script a new node starts with, in both languages, or per language where ThingsBoard's differ. */
  defaultScript: string | { js: string; tbel: string };
  /** Compiles the configured script in the sandbox; a node may return undefined for a script it runs itself. */
  compile?(config: ScriptConfig, init: RuleNodeInitContext): Promise<S>;
  /** What the node does with a message, given its compiled script. */
  onMsg(script: S, msg: RuleMsg, ctx: RuleNodeContext): Promise<void>;
}

const compileInSandbox = (config: ScriptConfig, init: RuleNodeInitContext) => RuleNodeScript.compile(init.services.scripts, config);

/** The descriptor of a script node: ThingsBoard's script settings, defaults and upgrade, and the script's lifetime. */
export function scriptNode<S extends RuleNodeScript | undefined = RuleNodeScript>(
  spec: ScriptNodeSpec<S>,
): RuleNodeDescriptor<ScriptConfig> {
  const { defaultScript, compile = compileInSandbox as NonNullable<ScriptNodeSpec<S>['compile']>, onMsg, ...info } = spec;
  const defaults = typeof defaultScript === 'string' ? { js: defaultScript, tbel: defaultScript } : defaultScript;
  return {
    ...info,
    configSchema: { type: 'object', properties: SCRIPT_CONFIG_PROPERTIES, required: ['scriptLang'] },
    defaultConfig: { scriptLang: 'TBEL', jsScript: defaults.js, tbelScript: defaults.tbel },
    ...SCRIPT_CONFIG_VERSIONING,
    async create(config, init) {
      const script = await compile(config, init);
      return {
        onMsg: (msg, ctx) => onMsg(script, msg, ctx),
        destroy: () => script?.dispose(),
      };
    },
  };
}
