/**
 * The few payloads the transport itself must read, because their content decides the MQTT answer
 * (§1.6 attribute request, §1.9 client RPC framing, §1.11.2 whether a provision request is JSON at all).
 * Telemetry and attributes go to the core unread.
 */
import type { AttributesRequest } from '@edgewise/plugin-api';

const INVALID = Symbol('invalid');

/** The payload as a JSON object, or undefined when it is not one. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON value read as text the way the reference does (Gson `getAsString`), or undefined when it has no text form. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length === 1) return asText(value[0]);
  return undefined;
}

/** `"a,b"` → `['a', 'b']`, untrimmed; absent → undefined; a value without a text form is invalid. */
function keyList(value: unknown): string[] | undefined | typeof INVALID {
  if (value === undefined || value === null) return undefined;
  const text = asText(value);
  return text === undefined ? INVALID : text.split(',');
}

/** `{"clientKeys":"a,b","sharedKeys":"c"}` → the core's request; undefined for an invalid payload. */
export function parseAttributesRequest(text: string): AttributesRequest | undefined {
  const body = parseObject(text);
  if (body === undefined) return undefined;
  const clientKeys = keyList(body.clientKeys);
  const sharedKeys = keyList(body.sharedKeys);
  if (clientKeys === INVALID || sharedKeys === INVALID) return undefined;
  const request: AttributesRequest = {};
  if (clientKeys !== undefined) request.clientKeys = clientKeys;
  if (sharedKeys !== undefined) request.sharedKeys = sharedKeys;
  return request;
}

export type ClientRpcFraming = { kind: 'invalidPayload' } | { kind: 'missingMethod' } | { kind: 'call'; method: string };

/** What a client RPC request carries: the payload must be a JSON object with a `method`. */
export function parseClientRpc(text: string): ClientRpcFraming {
  const body = parseObject(text);
  if (body === undefined) return { kind: 'invalidPayload' };
  const method = asText(body.method);
  return method === undefined ? { kind: 'missingMethod' } : { kind: 'call', method };
}
