import type { CompiledScript, ScriptsApi } from './rule-services';

/**
 * What ThingsBoard's script nodes share (its ScriptEngine): the script chosen by `scriptLang`, compiled
 * once in the core's sandbox, called with `msg` (the data parsed from JSON), `metadata` and `msgType`, and
 * its result read by ThingsBoard's rules for filters, switches, transformations, generators and logs.
 * The core's script test endpoint (rest-api.md §2.7) runs scripts through it too, so both read results alike.
 *
 * There is no TBEL interpreter here: a TBEL script runs as JavaScript, which simple TBEL already is (the
 * default scripts, `return msg.temperature > 20;` …). One that is not valid JavaScript is refused when the
 * node is built, with a message asking for a rewrite.
 */

export type ScriptLang = 'JS' | 'TBEL';

/** The settings every ThingsBoard script node has. */
export interface ScriptConfig {
  scriptLang: ScriptLang;
  jsScript: string;
  tbelScript: string;
}

/** JSON Schema properties for ScriptConfig, shared by the script nodes' schemas. */
export const SCRIPT_CONFIG_PROPERTIES = {
  scriptLang: {
    type: 'string',
    enum: ['JS', 'TBEL'],
    title: 'Script language',
    description: 'Edgewise runs TBEL scripts as JavaScript',
  },
  jsScript: { type: 'string', title: 'JavaScript function body' },
  tbelScript: { type: 'string', title: 'TBEL function body (run as JavaScript)' },
} as const;

/**
 * Configuration version 1 has `scriptLang` always set. ThingsBoard runs a configuration without one (exports
 * from before TBEL) as JavaScript, while the core fills a missing setting from the defaults (TBEL): the
 * upgrade from version 0 says JS first.
 */
export const SCRIPT_CONFIG_VERSION = 1;

export function withExplicitScriptLang(config: Record<string, unknown>): Record<string, unknown> {
  return config.scriptLang === undefined || config.scriptLang === null ? { ...config, scriptLang: 'JS' } : config;
}

/** The parts of a message a script sees and may replace. */
export interface MsgParts {
  type: string;
  metadata: Readonly<Record<string, string>>;
  data: string;
}

/** ThingsBoard's argument names for message scripts; the generator uses `prevMsg, prevMetadata, prevMsgType`. */
export const MSG_ARG_NAMES = ['msg', 'metadata', 'msgType'] as const;

/** Jackson's name for the type of a JSON value, as ThingsBoard's "Wrong result type" errors show it. */
function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return 'ARRAY';
  return typeof value === 'object' ? 'OBJECT' : typeof value === 'string' ? 'STRING' : typeof value === 'number' ? 'NUMBER' : 'BOOLEAN';
}

const wrongResultType = (value: unknown, expected: string) =>
  new Error(`Wrong result type: ${jsonTypeName(value)}; the script must return ${expected}`);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Message data as the script's `msg`: parsed JSON, or the text itself when it is not JSON. */
export function parseMsgData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** Metadata (as a script returned it) as a string map: nulls dropped, other values written as text. */
export function metadataOf(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) throw wrongResultType(value, 'metadata as an object of strings');
  const metadata: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    metadata[key] = typeof item === 'string' ? item : typeof item === 'object' ? JSON.stringify(item) : String(item);
  }
  return metadata;
}

/** A returned `{msg, metadata, msgType}`; what it leaves out stays as in `input`. */
function unbind(result: unknown, input: MsgParts): MsgParts {
  if (!isPlainObject(result)) throw wrongResultType(result, '{msg, metadata, msgType}');
  return {
    type: typeof result.msgType === 'string' && result.msgType !== '' ? result.msgType : input.type,
    metadata: 'metadata' in result && result.metadata !== null ? metadataOf(result.metadata) : { ...input.metadata },
    data: 'msg' in result ? JSON.stringify(result.msg) : input.data,
  };
}

/** A rule node's script, compiled; call `dispose()` from the node's `destroy()`. */
export class RuleNodeScript {
  private constructor(
    private readonly compiled: CompiledScript,
    private readonly lang: ScriptLang,
  ) {}

  /**
   * Compiles the script `config.scriptLang` names. Rejects with a message naming the setting when it is
   * empty or does not compile, so the chain refuses to activate with that reason.
   */
  static async compile(scripts: ScriptsApi, config: ScriptConfig, argNames: readonly string[] = MSG_ARG_NAMES): Promise<RuleNodeScript> {
    const lang: ScriptLang = config.scriptLang === 'TBEL' ? 'TBEL' : 'JS';
    const setting = lang === 'TBEL' ? 'tbelScript' : 'jsScript';
    const body = config[setting];
    if (typeof body !== 'string' || body.trim() === '') throw new Error(`${setting} is empty: write the script this node should run`);
    try {
      return new RuleNodeScript(await scripts.compile(body, argNames), lang);
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'SyntaxError') throw error;
      const reason = error.message.startsWith('SyntaxError') ? error.message : `SyntaxError: ${error.message}`;
      throw new Error(
        lang === 'TBEL'
          ? `tbelScript is not valid JavaScript (${reason}). Edgewise runs TBEL scripts as JavaScript: rewrite it in JavaScript, or set scriptLang to JS and put the JavaScript version in jsScript`
          : `jsScript does not compile: ${reason}`,
      );
    }
  }

  /** Calls the script with the message's data (parsed), metadata and type; resolves with what it returned. */
  run(msg: MsgParts): Promise<unknown> {
    return this.compiled.invoke([parseMsgData(msg.data), msg.metadata, msg.type]);
  }

  /** Filter: the script returns true or false. */
  async filter(msg: MsgParts): Promise<boolean> {
    const result = await this.run(msg);
    if (typeof result !== 'boolean') throw wrongResultType(result, 'true or false');
    return result;
  }

  /** Switch: the script returns a relation name or an array of them (duplicates count once). */
  async relations(msg: MsgParts): Promise<string[]> {
    const result = await this.run(msg);
    if (typeof result === 'string') return [result];
    if (!Array.isArray(result) || !result.every((name) => typeof name === 'string'))
      throw wrongResultType(result, 'a relation name or an array of relation names');
    return [...new Set<string>(result)];
  }

  /** Transformation: `{msg, metadata, msgType}` or a non-empty array of them; missing parts keep the input's. */
  async update(msg: MsgParts): Promise<MsgParts[]> {
    const result = await this.run(msg);
    const messages = Array.isArray(result) ? result.map((item) => unbind(item, msg)) : [unbind(result, msg)];
    if (messages.length === 0) throw new Error('Message or messages list are empty! Return at least one {msg, metadata, msgType}');
    return messages;
  }

  /** Generator: `{msg, metadata, msgType}` from the previous message; missing parts keep the previous one's. */
  async generate(previous: MsgParts): Promise<MsgParts> {
    return unbind(await this.run(previous), previous);
  }

  /** Log: a string (ThingsBoard's TBEL engine also accepts other values and writes them as JSON). */
  async text(msg: MsgParts): Promise<string> {
    const result = await this.run(msg);
    if (typeof result === 'string') return result;
    if (this.lang === 'TBEL') return JSON.stringify(result ?? null);
    throw wrongResultType(result, 'a string');
  }

  dispose(): void {
    this.compiled.dispose();
  }
}
