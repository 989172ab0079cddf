import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { changeOriginatorNode } from './change-originator';
import { copyKeysNode } from './copy-keys';
import { deduplicationNode } from './deduplication';
import { deleteKeysNode } from './delete-keys';
import { jsonPathNode } from './json-path';
import { renameKeysNode } from './rename-keys';
import { splitArrayNode } from './split-array';
import { toEmailNode } from './to-email';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
export const transformationNodes: RuleNodeDescriptor<any>[] = [
  changeOriginatorNode,
  toEmailNode,
  copyKeysNode,
  renameKeysNode,
  deleteKeysNode,
  jsonPathNode,
  splitArrayNode,
  deduplicationNode,
];
