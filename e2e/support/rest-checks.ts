import { expect } from 'vitest';
import type { RestClient } from './product.mjs';

/** Checklist 4/6: values ThingsBoard types as LONG, LONG (from a numeric string), DOUBLE (`42.0`) and BOOLEAN. */
export const TYPED_TELEMETRY = '{"temperature":25,"s":"12","d":42.0,"on":true}';

/** Checklist 5: two points of `a`, each at its own timestamp. */
export const TIMESTAMPED_TELEMETRY = '[{"ts":1700000000000,"values":{"a":1}},{"ts":1700000001000,"values":{"a":2}}]';

/**
 * Latest telemetry once `key` is there: a device's acknowledgement means its message is durably queued, and
 * the rule engine stores it moments later.
 */
export async function latestOnceStored(
  rest: RestClient,
  deviceId: string,
  key: string,
): Promise<Record<string, { ts: number; value: unknown }[]>> {
  return eventually(
    async () => (await rest.request('GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries`)).body,
    (body) => body?.[key] !== undefined,
  );
}

/** Client attributes once `key` is there (see latestOnceStored). */
export async function clientAttributesOnceStored(
  rest: RestClient,
  deviceId: string,
  key: string,
): Promise<{ key: string; value: unknown }[]> {
  return eventually(
    async () => (await rest.request('GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/CLIENT_SCOPE`)).body,
    (body) => Array.isArray(body) && body.some((a: { key: string }) => a.key === key),
  );
}

/** What the REST API shows once TYPED_TELEMETRY is stored: strict types, and text values without them. */
export async function expectTypedTelemetryStored(rest: RestClient, deviceId: string): Promise<void> {
  const latest = `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries`;
  const strict = await eventually(
    () => rest.request('GET', `${latest}?useStrictDataTypes=true`),
    (result) => result.body?.on !== undefined,
  );
  expect(strict.text).toMatch(/"d":\[\{"ts":\d+,"value":42\.0\}\]/);
  expect(strict.body).toMatchObject({ temperature: [{ value: 25 }], s: [{ value: 12 }], on: [{ value: true }] });
  expect((await rest.request('GET', latest)).body.temperature[0].value).toBe('25');
}

/** What the REST history shows once TIMESTAMPED_TELEMETRY is stored. */
export async function expectTimestampedTelemetryStored(rest: RestClient, deviceId: string): Promise<void> {
  const history = await eventually(
    () =>
      rest.request(
        'GET',
        `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?keys=a&startTs=1700000000000&endTs=1700000002000&orderBy=ASC`,
      ),
    (result) => result.body?.a?.length === 2,
  );
  expect(history.body).toEqual({
    a: [
      { ts: 1700000000000, value: '1' },
      { ts: 1700000001000, value: '2' },
    ],
  });
}

/** Reads until `done` holds or `withinMs` pass ("eventually" in the checklist); returns the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs = 10_000): Promise<T> {
  const until = Date.now() + withinMs;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

/** A device's SERVER_SCOPE attributes (where the connectivity state lives, §5) as one object. */
export async function serverAttributes(rest: RestClient, deviceId: string): Promise<Record<string, unknown>> {
  const { body } = await rest.request('GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE`);
  return Object.fromEntries((body as { key: string; value: unknown }[]).map((a) => [a.key, a.value]));
}

/** The status of a persistent RPC once it reaches `status` (or whatever it is after 5 s). */
export async function persistentRpcStatus(rest: RestClient, rpcId: string, status: string): Promise<string> {
  return eventually(
    async () => (await rest.request('GET', `/api/rpc/persistent/${rpcId}`)).body.status as string,
    (current) => current === status,
  );
}
