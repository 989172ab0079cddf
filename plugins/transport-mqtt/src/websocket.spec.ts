import mqtt from 'mqtt';
import { TEST_TOKEN, until } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

describe('MQTT over WebSocket', () => {
  it('serves the device API over a WebSocket when its listener is configured', async () => {
    const { core, transport } = await startTransport({ ports: { mqtt: 0, mqttws: 0 } });
    const wsPort = transport.boundPorts().mqttws;
    const client = await mqtt.connectAsync(`ws://127.0.0.1:${wsPort}/mqtt`, { username: TEST_TOKEN, reconnectPeriod: 0 });
    await client.publishAsync('v1/devices/me/telemetry', '{"overWs":1}', { qos: 1 });
    await until(() => core.telemetry.length === 1);
    expect(core.telemetry).toEqual(['{"overWs":1}']);
    await client.endAsync();
  });

  it('has no WebSocket listener unless asked for', async () => {
    const { transport } = await startTransport();
    expect(Object.keys(transport.boundPorts())).toEqual(['mqtt']);
  });
});
