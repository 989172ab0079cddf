import { TEST_TOKEN, testDeviceIdentity } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, connectClient, connectRefusal, RawClient, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

describe('CONNECT (device-api.md §1.2)', () => {
  it('accepts an access token on MQTT 3.1.1 and hands the CONNECT fields to the core', async () => {
    const { core, port } = await startTransport();
    const client = await connectClient(port, { clientId: 'any-client', password: 'ignored' });
    expect(client.connected).toBe(true);
    expect(core.authRequests).toEqual([{ type: 'MQTT_BASIC', clientId: 'any-client', username: TEST_TOKEN, password: 'ignored' }]);
    expect(core.session.device.deviceId).toBe('device-1');
  });

  it('accepts MQTT 5 and answers sessionPresent = !cleanSession', async () => {
    const { port } = await startTransport();
    const { connack: clean } = await RawClient.connect(port, { clean: true }, 5);
    expect(clean).toMatchObject({ reasonCode: 0, sessionPresent: false });
    const { connack: persistent } = await RawClient.connect(port, { clean: false }, 5);
    expect(persistent).toMatchObject({ reasonCode: 0, sessionPresent: true });
  });

  it('refuses an unknown username on MQTT 3.1.1 with CONNACK 5 and closes the socket without DISCONNECT', async () => {
    const { port } = await startTransport();
    const { client, connack } = await RawClient.connect(port, { username: 'nope' });
    expect(connack).toMatchObject({ returnCode: 5 });
    expect(await client.closedWithin()).toBe(true);
    expect(client.pending()).toEqual([]);
    expect((await connectRefusal(port, { username: 'nope' })).code).toBe(5);
  });

  it.each([
    ['username and password present', { username: 'nope', password: Buffer.from('x') }, 0x86, 5, false],
    ['only a clientId', { username: undefined, clientId: 'c1' }, 0x85, 2, false],
    ['nothing at all', { username: undefined, clientId: '' }, 0x87, 5, true],
  ])(
    'refuses unknown credentials with %s: MQTT 5 reason (+ DISCONNECT where MQTT 5 allows the code), MQTT 3.1.1 code',
    async (_case, fields, reason, returnCode, disconnect) => {
      const { port } = await startTransport();
      const v5 = await RawClient.connect(port, fields, 5);
      expect(v5.connack.reasonCode).toBe(reason);
      expect(await v5.client.closedWithin()).toBe(true);
      // CONNACK (sessionPresent 0, reason, no properties), then DISCONNECT with the same reason if that is a
      // valid DISCONNECT code (0x85/0x86 are not: strict clients would fail to parse it).
      const code = reason.toString(16);
      expect(v5.client.bytesHex()).toBe(`200300${code}00` + (disconnect ? `e002${code}00` : ''));
      const v3 = await RawClient.connect(port, fields, 4);
      expect(v3.connack.returnCode).toBe(returnCode);
    },
  );

  it('answers server unavailable when the core cannot authenticate (MQTT 5: CONNACK 0x88, DISCONNECT 0x89)', async () => {
    const { core, port } = await startTransport();
    core.authOverride = { ok: false, failure: 'UNAVAILABLE', reason: 'database down' };
    const v5 = await RawClient.connect(port, {}, 5);
    expect(v5.connack.reasonCode).toBe(0x88);
    expect(await v5.client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x89 });
    expect((await RawClient.connect(port, {}, 4)).connack.returnCode).toBe(3);
  });

  it('answers server unavailable when the core throws, and logs it', async () => {
    const { core, port } = await startTransport();
    core.authenticate = () => Promise.reject(new Error('boom'));
    const { connack } = await RawClient.connect(port, {}, 4);
    expect(connack.returnCode).toBe(3);
    expect(core.logEntries.some((entry) => entry.level === 'error' && entry.fields?.error === 'boom')).toBe(true);
  });

  it('refuses a device whose profile transport type is not MQTT', async () => {
    const { core, port } = await startTransport();
    core.tokens.set('COAP_TOKEN', testDeviceIdentity({ transportType: 'COAP' }));
    expect((await RawClient.connect(port, { username: 'COAP_TOKEN' }, 5)).connack.reasonCode).toBe(0x88);
  });

  it('treats an unknown protocol level as MQTT 3.1.1 (§1.1)', async () => {
    const { port } = await startTransport();
    const client = await RawClient.open(port);
    // CONNECT "MQTT" level 6, clean session, keep-alive 60, clientId "x", username = token
    const username = Buffer.from(TEST_TOKEN);
    const body = Buffer.concat([
      Buffer.from([0, 4, ...Buffer.from('MQTT'), 6, 0x82, 0, 60, 0, 1, ...Buffer.from('x'), 0, username.length]),
      username,
    ]);
    client.sendBytes(Buffer.concat([Buffer.from([0x10, body.length]), body]));
    expect(await client.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
  });

  it('holds packets sent before CONNACK and handles them after authentication', async () => {
    const { core, port } = await startTransport();
    const release = core.holdAuthentication();
    const client = await RawClient.open(port, 5);
    client.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: 'early',
      clean: true,
      keepalive: 0,
      username: TEST_TOKEN,
    });
    client.publish('v1/devices/me/telemetry', '{"early":1}', 1, 7);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(core.telemetry).toEqual([]);
    release();
    expect(await client.next()).toMatchObject({ cmd: 'connack', reasonCode: 0 });
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 7 });
    expect(core.telemetry).toEqual(['{"early":1}']);
  });

  it('disconnects with 0x97 when more than 100 packets arrive before CONNACK', async () => {
    const { core, port } = await startTransport();
    core.holdAuthentication();
    const client = await RawClient.open(port, 5);
    client.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: 'flood',
      clean: true,
      keepalive: 0,
      username: TEST_TOKEN,
    });
    for (let i = 1; i <= 101; i++) client.publish('v1/devices/me/telemetry', '{}', 1, i);
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x97 });
    expect(await client.closedWithin()).toBe(true);
  });

  it('closes the connection on garbage bytes and on a first packet that is not CONNECT', async () => {
    const { port } = await startTransport();
    const garbage = await RawClient.open(port);
    garbage.sendBytes(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(await garbage.closedWithin()).toBe(true);
    const early = await RawClient.open(port);
    early.send({ cmd: 'pingreq' });
    expect(await early.closedWithin()).toBe(true);
    // The server is still serving.
    expect((await RawClient.connect(port)).connack.returnCode).toBe(0);
  });

  it('survives random bytes before and after CONNECT (seeded fuzz)', async () => {
    const { port } = await startTransport();
    let seed = 42;
    const randomBytes = (length: number) =>
      Buffer.from(Array.from({ length }, () => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) >> 16) & 0xff));
    for (let round = 0; round < 30; round++) {
      const bare = await RawClient.open(port);
      bare.sendBytes(randomBytes(1 + ((round * 7) % 200)));
      const { client } = await RawClient.connect(port, {}, round % 2 ? 5 : 4);
      client.sendBytes(randomBytes(1 + ((round * 13) % 300)));
    }
    expect((await RawClient.connect(port, {}, 5)).connack.reasonCode).toBe(0);
  });

  it('closes a malformed packet after CONNACK with MQTT 5 DISCONNECT 0x81', async () => {
    const { port } = await startTransport();
    const { client } = await RawClient.connect(port, {}, 5);
    client.sendBytes(Buffer.from([0x32, 0x01, 0xff])); // PUBLISH QoS 1 too short for its topic
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x81 });
    expect(await client.closedWithin()).toBe(true);
  });
});

describe('provision-only session (§1.11.1; provisioning itself: provision-session.spec.ts)', () => {
  it('accepts CONNECT as "provision" without credentials and answers a publish to another topic as unknown, then closes', async () => {
    const { core, port } = await startTransport();
    const { client, connack } = await RawClient.connect(port, { username: 'provision' }, 5);
    expect(connack.reasonCode).toBe(0);
    expect(core.authRequests).toEqual([]);
    client.subscribe(1, ['/provision/response', 1], ['v1/devices/me/attributes', 1]);
    expect(await client.next()).toMatchObject({ cmd: 'suback', granted: [1, 0x8f] });
    client.publish('v1/devices/me/telemetry', '{"t":1}', 1, 2);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0x90 });
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x90 });
    expect(await client.closedWithin()).toBe(true);
  });
});
