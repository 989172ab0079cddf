import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { generatorNode } from './generator';
import { logNode } from './log';
import { scriptFilterNode } from './script-filter';
import { scriptSwitchNode } from './script-switch';
import { scriptTransformNode } from './script-transform';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const scriptNodes: RuleNodeDescriptor<any>[] = [scriptFilterNode, scriptSwitchNode, scriptTransformNode, generatorNode, logNode];
