import { definePlugin } from '@edgewise/plugin-api';
import { actionNodes } from './action';
import { alarmNodes } from './alarm';
import { enrichmentNodes } from './enrichment';
import { externalNodes } from './external';
import { filterNodes } from './filter';
import { flowNodes } from './flow';
import { scriptNodes } from './script';
import { transformationNodes } from './transformation';

/** The rule nodes every Edgewise installation has, each under its ThingsBoard class name as well. */
export default definePlugin({
  name: '@edgewise/rule-nodes-core',
  version: '0.1.0',
  ruleNodes: [
    ...filterNodes,
    ...enrichmentNodes,
    ...transformationNodes,
    ...actionNodes,
    ...alarmNodes,
    ...scriptNodes,
    ...externalNodes,
    ...flowNodes,
  ],
});
