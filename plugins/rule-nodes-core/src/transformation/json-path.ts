import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { JSONPath } from 'jsonpath-plus';
import { requireJsonData } from './msg-data';

export interface JsonPathConfig {
  jsonPath: string;
}

/** The path that selects the whole data: the node then passes messages on untouched. */
const WHOLE_DATA = '$';

/**
 * Whether a path names at most one element (Jayway's "definite" path): no wildcard, deep scan, filter, script,
 * union or slice. A definite path that finds nothing is an error; an indefinite one returns a list, maybe empty.
 */
function isDefinite(path: string): boolean {
  return JSONPath.toPathArray(path).every((part) => part !== '*' && part !== '..' && !/[(,:]/.test(part));
}

/** "json path": replaces the message data with what a JSONPath expression selects from it. */
export const jsonPathNode: RuleNodeDescriptor<JsonPathConfig> = {
  type: 'core/json-path',
  category: 'transformation',
  name: 'json path',
  description:
    'Replaces the message data with the element (or, for wildcards and filters, the list of elements) that a JSONPath expression selects from it.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: { jsonPath: { type: 'string', minLength: 1, title: 'JSONPath expression' } },
    required: ['jsonPath'],
  },
  defaultConfig: { jsonPath: WHOLE_DATA },
  thingsboardClass: 'org.thingsboard.rule.engine.transform.TbJsonPathNode',
  icon: 'functions',
  create(config) {
    const path = config.jsonPath?.trim();
    if (!path) throw new Error('Set "jsonPath" to a JSONPath expression such as $.temperature ($ keeps the whole data)');
    if (path === WHOLE_DATA) return { onMsg: (msg, ctx) => ctx.tellSuccess(msg) };
    const definite = isDefinite(path);
    return {
      onMsg(msg, ctx) {
        const data = requireJsonData(msg, `json path "${path}" needs JSON data`);
        let found: unknown[];
        try {
          // 'safe' evaluates filter expressions without JavaScript eval.
          found = JSONPath({ path, json: data as object, wrap: true, eval: 'safe' }) as unknown[];
        } catch (e) {
          throw new Error(`JSONPath "${path}" could not be evaluated (${(e as Error).message}); check the expression`);
        }
        if (definite && !found.length) throw new Error(`No value at JSONPath "${path}" in the message data`);
        ctx.tellSuccess(ctx.transformMsg(msg, { data: JSON.stringify(definite ? found[0] : found) }));
      },
    };
  },
};
