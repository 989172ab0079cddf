import { testDeviceIdentity, until } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { topicMatches } from './profile-topics';
import { cleanUp, connectClient, RawClient, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

const MQTT_PROFILE = {
  type: 'MQTT',
  deviceTelemetryTopic: 'sensors/+/telemetry',
  deviceAttributesTopic: 'sensors/+/attributes',
  deviceAttributesSubscribeTopic: 'sensors/+/config',
  sendAckOnValidationException: true,
};

describe('MQTT topic filters', () => {
  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
    ['a/#', 'a/b/c', true],
    ['a/#', 'a', true],
    ['a/b', 'a/b/c', false],
    ['+', 'a', true],
    ['v1/devices/me/telemetry', 'v1/devices/me/telemetry', true],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('device-profile MQTT topics (§1.3)', () => {
  const startWithProfile = async (transportConfiguration: Record<string, unknown>) => {
    const harness = await startTransport();
    harness.core.tokens.set('PROFILE_TOKEN', testDeviceIdentity({ transportType: 'MQTT', transportConfiguration }));
    return harness;
  };

  it('takes telemetry and attributes on the profile topics instead of the v1 ones; short v2 topics still work', async () => {
    const { core, port } = await startWithProfile(MQTT_PROFILE);
    const client = await connectClient(port, { username: 'PROFILE_TOKEN', protocolVersion: 5 });
    await client.publishAsync('sensors/s1/telemetry', '{"t":1}', { qos: 1 });
    await client.publishAsync('sensors/s1/attributes', '{"a":1}', { qos: 1 });
    await client.publishAsync('v2/t', '{"t":2}', { qos: 1 });
    await expect(client.publishAsync('v1/devices/me/telemetry', '{"t":3}', { qos: 1 })).rejects.toMatchObject({ code: 0x90 });
    await until(() => core.telemetry.length === 2);
    expect(core.telemetry).toEqual(['{"t":1}', '{"t":2}']);
    expect(core.attributes).toEqual(['{"a":1}']);
  });

  it('treats a subscription to the profile attribute topic as an attribute subscription, pushing on v1 with QoS 1', async () => {
    const { core, port } = await startWithProfile(MQTT_PROFILE);
    const client = await connectClient(port, { username: 'PROFILE_TOKEN' });
    await client.subscribeAsync('sensors/s1/config', { qos: 0 });
    await until(() => core.session.attributeSubscription === true);
    // mqtt.js only delivers messages for topics it subscribed to: catch the push on the raw packet stream.
    const pushed = new Promise<{ topic: string; qos: number }>((resolve) =>
      client.on('packetreceive', (p) => p.cmd === 'publish' && resolve({ topic: p.topic, qos: p.qos })),
    );
    core.session.pushAttributes('{"target":1}');
    expect(await pushed).toEqual({ topic: 'v1/devices/me/attributes', qos: 1 });
  });

  it('acknowledges an invalid payload on MQTT 3.1.1 when the profile asks for it, instead of closing', async () => {
    const { port } = await startWithProfile(MQTT_PROFILE);
    const { client } = await RawClient.connect(port, { username: 'PROFILE_TOKEN' });
    client.publish('sensors/s1/telemetry', 'not json', 1, 9);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 9 });
  });

  it('keeps the standard topics for a DEFAULT-transport profile', async () => {
    const { core, port } = await startWithProfile({ type: 'DEFAULT' });
    const client = await connectClient(port, { username: 'PROFILE_TOKEN' });
    await client.publishAsync('v1/devices/me/telemetry', '{"t":4}', { qos: 1 });
    await until(() => core.telemetry.length === 1);
    expect(core.telemetry).toEqual(['{"t":4}']);
  });
});
