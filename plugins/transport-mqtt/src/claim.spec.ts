import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, connectClient, RawClient, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

describe('device claiming over MQTT (§1.10)', () => {
  it('hands v1/devices/me/claim payloads to the core and acknowledges them, an empty payload included', async () => {
    const { core, port } = await startTransport();
    const client = await connectClient(port);
    await client.publishAsync('v1/devices/me/claim', '{"secretKey":"value","durationMs":60000}', { qos: 1 });
    await client.publishAsync('v1/devices/me/claim', '', { qos: 1 });
    expect(core.claims).toEqual(['{"secretKey":"value","durationMs":60000}', '']);
  });

  it('treats a claim request the core refuses as an invalid payload: MQTT 5 PUBACK 0x99 (kept), MQTT 3.1.1 closed', async () => {
    const { core, port } = await startTransport();
    const v5 = await RawClient.connect(port, {}, 5);
    v5.client.publish('v1/devices/me/claim', 'secret', 1, 1);
    expect(await v5.client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0x99 });
    v5.client.publish('v1/devices/me/claim', '{}', 1, 2);
    expect(await v5.client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0 });

    const v3 = await RawClient.connect(port);
    v3.client.publish('v1/devices/me/claim', 'secret', 1, 1);
    expect(await v3.client.closedWithin()).toBe(true);
    expect(core.claims).toEqual(['{}']);
  });
});
