import { scriptNode } from './script-node';

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
export const scriptSwitchNode = scriptNode({
  type: 'core/script-switch',
  category: 'filter',
  name: 'switch',
  description: 'Routes the message by the relation name(s) a script of msg, metadata and msgType returns; an empty array ends it here.',
  relations: ['Failure'],
  customRelations: true,
  defaultScript: { js: defaultScript('==='), tbel: defaultScript('==') },
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbJsSwitchNode',
  icon: 'call_split',
  async onMsg(script, msg, ctx) {
    const relations = await script.relations(msg);
    if (relations.length === 0) ctx.ack(msg);
    else ctx.tellNext(msg, relations);
  },
});
