import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { createTestNode, relationsOf, testMsg, type TestNodeHarness } from '@edgewise/plugin-api/testing';
import type { AedesOptions, AedesPublishPacket } from 'aedes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mqttNode, type MqttConfig } from './mqtt';

interface Broker {
  port: number;
  published: AedesPublishPacket[];
  clientIds: string[];
  disconnected: string[];
  /** Drops every connection and stops listening. */
  stop(): Promise<void>;
}

const brokers: Broker[] = [];
const nodes: TestNodeHarness[] = [];

/** A real MQTT broker (aedes) on a free port; records what clients publish. */
async function startBroker(options: AedesOptions = {}): Promise<Broker> {
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker(options);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const broker: Broker = {
    port: (server.address() as AddressInfo).port,
    published: [],
    clientIds: [],
    disconnected: [],
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
  aedes.on('publish', (packet, client) => void (client && broker.published.push(packet)));
  aedes.on('client', (client) => void broker.clientIds.push(client.id));
  aedes.on('clientDisconnect', (client) => void broker.disconnected.push(client.id));
  brokers.push(broker);
  return broker;
}

async function mqttTestNode(broker: Broker, config: Partial<MqttConfig> = {}) {
  const node = await createTestNode(mqttNode, { host: '127.0.0.1', port: broker.port, ...config });
  nodes.push(node);
  return node;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.destroy()));
  await Promise.all(brokers.splice(0).map((broker) => broker.stop()));
});

describe('mqtt', () => {
  it('publishes the data to the templated topic with QoS 1', async () => {
    const broker = await startBroker();
    const node = await mqttTestNode(broker, { topicPattern: 'sensors/${deviceName}/$[kind]' });
    const msg = testMsg({ data: { kind: 'climate', temperature: 25 } });
    expect(await node.send(msg)).toEqual([{ kind: 'next', relation: 'Success', msg }]);
    expect(broker.published).toHaveLength(1);
    expect(broker.published[0]).toMatchObject({ topic: 'sensors/Test Device/climate', qos: 1, retain: false });
    expect(broker.published[0].payload.toString()).toBe(msg.data);
  });

  it('publishes retained messages and JSON strings as plain text when asked', async () => {
    const broker = await startBroker();
    const node = await mqttTestNode(broker, { retainedMessage: true, parseToPlainText: true });
    await node.send(testMsg({ data: '"on"' }));
    expect(broker.published[0]).toMatchObject({ topic: 'my-topic', retain: true });
    expect(broker.published[0].payload.toString()).toBe('on');
  });

  it('connects with basic credentials and its client id (with the server suffix when asked), also over MQTT 3.1', async () => {
    const broker = await startBroker({
      authenticate: (_client, username, password, done) => done(null, username === 'edge' && password?.toString() === 's3cret'),
    });
    const credentials = { type: 'basic' as const, username: 'edge', password: 's3cret' };
    await mqttTestNode(broker, { credentials, clientId: 'edge-publisher', appendClientIdSuffix: true });
    await mqttTestNode(broker, { credentials, clientId: 'legacy', protocolVersion: 'MQTT_3_1' });
    expect(broker.clientIds).toEqual([`edge-publisher_${hostname()}`, 'legacy']);
    await expect(mqttTestNode(broker, { credentials: { ...credentials, password: 'wrong' } })).rejects.toThrow(
      new RegExp(`Failed to connect to MQTT broker at 127.0.0.1:${broker.port}: .*Not authorized`),
    );
  });

  it('refuses to start when no broker listens at the address', async () => {
    const broker = await startBroker();
    await broker.stop();
    await expect(createTestNode(mqttNode, { host: '127.0.0.1', port: broker.port })).rejects.toThrow(
      `Failed to connect to MQTT broker at 127.0.0.1:${broker.port}: connect ECONNREFUSED`,
    );
  });

  it('fails messages with the error in metadata while the broker is gone', async () => {
    const broker = await startBroker();
    const node = await mqttTestNode(broker);
    await broker.stop();
    await vi.waitFor(() => expect(node.logs).toContainEqual({ level: 'warn', message: expect.stringContaining('Lost the MQTT broker') }));
    const [out] = await node.send(testMsg());
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('Not connected to the MQTT broker') });
    expect(out.msg.metadata.error).toMatch(/^Error: Not connected to the MQTT broker at 127\.0\.0\.1:\d+/);
    expect(relationsOf(await node.send(testMsg()))).toEqual(['Failure']);
  });

  it('disconnects from the broker when destroyed', async () => {
    const broker = await startBroker();
    const node = await mqttTestNode(broker, { clientId: 'leaving' });
    await node.destroy();
    await vi.waitFor(() => expect(broker.disconnected).toEqual(['leaving']));
  });

  it('refuses a client id too long for MQTT 3.1, and a missing host', async () => {
    await expect(createTestNode(mqttNode, { host: 'localhost', protocolVersion: 'MQTT_3_1', clientId: 'x'.repeat(24) })).rejects.toThrow(
      'The length of Client ID cannot be longer than 23, but current length is 24',
    );
    await expect(createTestNode(mqttNode)).rejects.toThrow('Set "host"');
  });

  it("upgrades old ThingsBoard configurations like ThingsBoard's version 2", () => {
    expect(mqttNode.upgrade!(0, { topicPattern: 't', host: 'h' })).toEqual({
      topicPattern: 't',
      host: 'h',
      parseToPlainText: false,
      protocolVersion: 'MQTT_3_1',
    });
    expect(mqttNode.upgrade!(1, { parseToPlainText: true, protocolVersion: 'MQTT_5' })).toEqual({
      parseToPlainText: true,
      protocolVersion: 'MQTT_5',
    });
  });
});
