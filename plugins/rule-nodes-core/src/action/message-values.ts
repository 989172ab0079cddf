/**
 * Reading settings out of a message the way ThingsBoard's action nodes do: metadata flags, numbers in
 * metadata, the message's data as a JSON object.
 */

import type { RuleMsg } from '@edgewise/plugin-api';
import { isJsonObject, requireJsonData } from '../transformation/msg-data';

/** Java's Long.parseLong accepts an optional sign and decimal digits, nothing else. */
const LONG_TEXT = /^[+-]?\d{1,19}$/;

/** A whole number written in metadata (Long.parseLong); undefined when the text is not one. */
export function parseWholeNumber(text: string): number | undefined {
  return LONG_TEXT.test(text) ? Number(text) : undefined;
}

/** ThingsBoard's Boolean.parseBoolean: only "true", in any letter case, is true. */
export function isTrueText(text: string | undefined): boolean {
  return text !== undefined && text.length === 4 && text.toLowerCase() === 'true';
}

/** The message's timestamp: metadata `ts` when it holds a whole number, else when the message was created. */
export function metadataTs(msg: RuleMsg): number {
  const text = msg.metadata.ts;
  return text !== undefined && LONG_TEXT.test(text) ? Number(text) : msg.ts;
}

/** The data as a JSON object; throws an error naming what the node expected otherwise. */
export function requireDataObject(msg: RuleMsg, expected: string): Readonly<Record<string, unknown>> {
  const data = requireJsonData(msg, expected);
  if (!isJsonObject(data)) throw new Error(`Message data must be a JSON object: ${expected}`);
  return data;
}

/** ThingsBoard's "Unsupported msg type" failure, with the type the node does accept. */
export function unsupportedMsgType(msg: RuleMsg, accepted: string): string {
  return `Unsupported msg type: ${msg.type} (this node accepts ${accepted} messages only; route other types around it, e.g. with a message type switch)`;
}
