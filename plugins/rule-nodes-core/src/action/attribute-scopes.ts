/** Attribute scopes as the attribute nodes read them, and the "Attributes Updated/Deleted" event messages they send. */

import type { AttributeScope, RuleMsg, RuleNodeContext } from '@edgewise/plugin-api';

export const ATTRIBUTE_SCOPES: readonly AttributeScope[] = ['CLIENT_SCOPE', 'SHARED_SCOPE', 'SERVER_SCOPE'];

export const attributeScopeSchema = { type: 'string', enum: ATTRIBUTE_SCOPES, title: 'Attributes scope' };

function isAttributeScope(value: string): value is AttributeScope {
  return (ATTRIBUTE_SCOPES as readonly string[]).includes(value);
}

/** The configured scope, unless the message's metadata names another in `scope` (as ThingsBoard allows). */
export function scopeOf(msg: RuleMsg, configured: AttributeScope): AttributeScope {
  const fromMetadata = msg.metadata.scope;
  if (!fromMetadata) return configured;
  if (!isAttributeScope(fromMetadata)) {
    throw new Error(`Unknown attribute scope "${fromMetadata}" in metadata "scope": use ${ATTRIBUTE_SCOPES.join(', ')}, or leave it out`);
  }
  return fromMetadata;
}

/**
 * Queues ThingsBoard's ATTRIBUTES_UPDATED / ATTRIBUTES_DELETED event for the originator's rule chain, with
 * the node's id and the scope in metadata, as ThingsBoard does after a save or delete.
 */
export function enqueueAttributesEvent(
  ctx: RuleNodeContext,
  msg: RuleMsg,
  type: 'ATTRIBUTES_UPDATED' | 'ATTRIBUTES_DELETED',
  scope: AttributeScope,
  data: string,
): Promise<void> {
  const event = ctx.newMsg({ type, originator: msg.originator, metadata: { ruleNodeId: ctx.self.id, scope }, data });
  return ctx.enqueue(event);
}
