import type { RuleNodeDescriptor } from '@edgewise/plugin-api';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const transformationNodes: RuleNodeDescriptor<any>[] = [];
