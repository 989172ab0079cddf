import { scriptNode } from './script-node';

/** "script" filter: routes by True or False as the script decides. */
export const scriptFilterNode = scriptNode({
  type: 'core/script-filter',
  category: 'filter',
  name: 'script',
  description: 'Routes the message by True or False as a script of msg, metadata and msgType decides (e.g. return msg.temperature > 20;).',
  relations: ['True', 'False', 'Failure'],
  defaultScript: 'return msg.temperature > 20;',
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbJsFilterNode',
  icon: 'functions',
  async onMsg(script, msg, ctx) {
    ctx.tellNext(msg, (await script.filter(msg)) ? 'True' : 'False');
  },
});
