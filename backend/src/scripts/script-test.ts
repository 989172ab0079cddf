import type { ScriptsApi } from '@edgewise/plugin-api';
import { metadataOf, MsgParts, parseMsgData, RuleNodeScript, ScriptLang } from '@edgewise/plugin-api';
import type { TestScriptDto } from './dto/test-script.dto';

export const SCRIPT_LANGS: readonly ScriptLang[] = ['JS', 'TBEL'];

/** How each script type reads the result, exactly as the script nodes do (ThingsBoard's ScriptEngine). */
const RENDERERS: Record<string, (script: RuleNodeScript, input: MsgParts) => Promise<string>> = {
  update: async (script, input) => {
    const messages = (await script.update(input)).map(view);
    return JSON.stringify(messages.length === 1 ? messages[0] : messages);
  },
  generate: async (script, input) => JSON.stringify(view(await script.generate(input))),
  filter: async (script, input) => String(await script.filter(input)),
  switch: async (script, input) => JSON.stringify(await script.relations(input)),
  json: async (script, input) => JSON.stringify((await script.run(input)) ?? null),
  string: (script, input) => script.text(input),
};

/** A message as the editor shows it; no `msg` when the data is empty. */
function view(parts: MsgParts) {
  return { ...(parts.data === '' ? {} : { msg: parseMsgData(parts.data) }), metadata: parts.metadata, msgType: parts.type };
}

/**
 * The script test of rest-api.md §2.7: compiles the script with the given argument names, calls it once
 * with the sample message and renders the result for the script type as ThingsBoard's editor expects it.
 * TBEL runs as JavaScript, as in the nodes. Rejects with the message the `error` field shows.
 */
export async function runTestScript(sandbox: ScriptsApi, scriptLang: ScriptLang, request: TestScriptDto): Promise<string> {
  const render = Object.hasOwn(RENDERERS, request.scriptType) ? RENDERERS[request.scriptType] : undefined;
  if (!render) throw new Error(`Unsupported script type: ${request.scriptType}; use ${Object.keys(RENDERERS).join(', ')}`);
  const config = { scriptLang, jsScript: request.script, tbelScript: request.script };
  const script = await RuleNodeScript.compile(sandbox, config, request.argNames);
  try {
    return await render(script, { type: request.msgType, metadata: metadataOf(request.metadata), data: request.msg });
  } finally {
    script.dispose();
  }
}
