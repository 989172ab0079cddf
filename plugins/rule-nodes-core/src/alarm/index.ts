import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { clearAlarmNode } from './clear-alarm';
import { createAlarmNode } from './create-alarm';
import { deviceProfileNode } from './device-profile';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const alarmNodes: RuleNodeDescriptor<any>[] = [createAlarmNode, clearAlarmNode, deviceProfileNode];
