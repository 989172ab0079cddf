import { readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, TestPki } from '../plugins/transport-mqtt/src/test-support/test-pki';
import { deviceRequest } from './support/http-device';
import { closedByServer, connectMqtt, nextMessage } from './support/mqtt-client';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import { latestOnceStored, serverAttributes } from './support/rest-checks';

const NOT_FOUND = { errorMsg: 'Provision data was not found!', status: 'NOT_FOUND' };
const FAILURE = { errorMsg: 'Failed to provision device!', status: 'FAILURE' };

/**
 * Device provisioning on the built product (device-api.md §1.11, §2.2, checklist 22–24 and 34): a device asks
 * with mqtt.js or plain HTTP, then connects with the credentials it got and its telemetry is stored.
 */
describe('device provisioning', () => {
  let pki: TestPki;
  let product: Product;
  let rest: RestClient;
  let port: number;
  let tlsPort: number;
  let sequence = 0;
  const clients: MqttClient[] = [];
  const track = (client: MqttClient) => (clients.push(client), client);

  beforeAll(async () => {
    pki = createTestPki();
    product = await startProduct({
      MQTT_TLS_CERT_FILE: pki.serverCertFile,
      MQTT_TLS_KEY_FILE: pki.serverKeyFile,
      MQTT_TLS_CA_FILE: pki.caFile,
    });
    rest = await restClient(product.url);
    port = product.ports.mqtt.mqtt;
    tlsPort = product.ports.mqtt.mqtts;
  });
  afterEach(() => clients.splice(0).forEach((client) => client.end(true)));
  afterAll(async () => {
    await product?.stop();
    pki?.remove();
  });

  const unique = (prefix: string) => `${prefix}-${++sequence}`;

  /** A device profile with provisioning; returns its id and the key/secret a device must present. */
  const provisioningProfile = async (provisionType: string) => {
    const keys = { provisionDeviceKey: unique('e2e-key'), provisionDeviceSecret: unique('e2e-secret') };
    const saved = await rest.request('POST', '/api/deviceProfile', {
      name: unique(`Provisioned ${provisionType}`),
      type: 'DEFAULT',
      transportType: 'DEFAULT',
      provisionType,
      provisionDeviceKey: keys.provisionDeviceKey,
      profileData: {
        configuration: { type: 'DEFAULT' },
        transportConfiguration: { type: 'DEFAULT' },
        provisionConfiguration: { type: provisionType, provisionDeviceSecret: keys.provisionDeviceSecret },
      },
    });
    expect(saved.status).toBe(200);
    return { profileId: saved.body.id, keys };
  };

  /** What a device sees when it provisions over MQTT: connect as `provision`, subscribe, ask, read the answer. */
  const provisionOverMqtt = async (request: Record<string, unknown>) => {
    const client = track(await connectMqtt(port, { username: 'provision' }));
    await client.subscribeAsync('/provision/response', { qos: 1 });
    const answer = nextMessage(client, '/provision/response');
    await client.publishAsync('/provision/request', JSON.stringify(request), { qos: 1 });
    return JSON.parse((await answer).payload);
  };

  const provisionOverHttp = async (body: string) => {
    const reply = await deviceRequest(product.url, 'POST', '/api/v1/provision', body);
    return { status: reply.status, body: JSON.parse(reply.body) };
  };

  const deviceId = async (name: string) => (await rest.request('GET', `/api/tenant/devices?deviceName=${name}`)).body.id.id as string;

  /** Publishes telemetry as a connected client and checks that it is stored for the device. */
  const expectTelemetryStored = async (client: MqttClient, name: string) => {
    const key = `t${sequence}`;
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ [key]: 21 }), { qos: 1 });
    expect((await latestOnceStored(rest, await deviceId(name), key))[key][0].value).toBe('21');
  };

  describe('over MQTT', () => {
    it('ALLOW_CREATE_NEW_DEVICES: a generated access token the device then connects with', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const name = unique('mqtt-provisioned');
      const answer = await provisionOverMqtt({ deviceName: name, ...keys });
      expect(answer).toEqual({
        credentialsValue: expect.stringMatching(/^[A-Za-z0-9]{20}$/),
        credentialsType: 'ACCESS_TOKEN',
        status: 'SUCCESS',
      });
      expect(await serverAttributes(rest, await deviceId(name))).toMatchObject({ provisionState: 'provisioned' });
      await expectTelemetryStored(track(await connectMqtt(port, { username: answer.credentialsValue })), name);
    });

    it('the access token the device asked for, and MQTT basic credentials it connects with', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const tokenName = unique('mqtt-token');
      const token = unique('E2E_PROVISIONED_TOKEN');
      expect(await provisionOverMqtt({ deviceName: tokenName, ...keys, credentialsType: 'ACCESS_TOKEN', token })).toEqual({
        credentialsValue: token,
        credentialsType: 'ACCESS_TOKEN',
        status: 'SUCCESS',
      });
      await expectTelemetryStored(track(await connectMqtt(port, { username: token })), tokenName);

      const basicName = unique('mqtt-basic');
      const basic = { clientId: unique('e2e-client'), username: unique('e2e-user'), password: 'e2e-password' };
      const answer = await provisionOverMqtt({ deviceName: basicName, ...keys, credentialsType: 'MQTT_BASIC', ...basic });
      expect(answer).toEqual({
        credentialsValue: { clientId: basic.clientId, userName: basic.username, password: basic.password },
        credentialsType: 'MQTT_BASIC',
        status: 'SUCCESS',
      });
      await expectTelemetryStored(track(await connectMqtt(port, basic)), basicName);
    });

    it('an X.509 certificate the device then connects with over TLS', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const name = unique('mqtt-x509');
      const answer = await provisionOverMqtt({
        deviceName: name,
        ...keys,
        credentialsType: 'X509_CERTIFICATE',
        hash: pki.device.cert.toString(),
      });
      expect(answer).toEqual({ credentialsValue: pki.device.body, credentialsType: 'X509_CERTIFICATE', status: 'SUCCESS' });
      const client = track(
        await connectMqtt(tlsPort, { protocol: 'mqtts', ca: readFileSync(pki.caFile), cert: pki.device.cert, key: pki.device.key }),
      );
      await expectTelemetryStored(client, name);
    });

    it('FAILURE for a name taken, NOT_FOUND for a wrong secret; CHECK_PRE_PROVISIONED_DEVICES hands out existing credentials once', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const name = unique('mqtt-twice');
      expect((await provisionOverMqtt({ deviceName: name, ...keys })).status).toBe('SUCCESS');
      expect(await provisionOverMqtt({ deviceName: name, ...keys })).toEqual(FAILURE);
      expect(await provisionOverMqtt({ deviceName: unique('mqtt-wrong'), ...keys, provisionDeviceSecret: 'wrong' })).toEqual(NOT_FOUND);

      const pre = await provisioningProfile('CHECK_PRE_PROVISIONED_DEVICES');
      const preName = unique('mqtt-pre');
      const preToken = unique('E2E_PRE_TOKEN');
      expect(
        (await rest.request('POST', `/api/device?accessToken=${preToken}`, { name: preName, deviceProfileId: pre.profileId })).status,
      ).toBe(200);
      expect(await provisionOverMqtt({ deviceName: preName, ...pre.keys })).toEqual({
        credentialsValue: preToken,
        credentialsType: 'ACCESS_TOKEN',
        status: 'SUCCESS',
      });
      expect(await provisionOverMqtt({ deviceName: preName, ...pre.keys })).toEqual(FAILURE);
      await expectTelemetryStored(track(await connectMqtt(port, { username: preToken })), preName);
    });

    it('MQTT 5: a request without provisionDeviceKey is answered PUBACK 0x83 and DISCONNECT 0x83', async () => {
      const client = track(await connectMqtt(port, { username: 'provision', protocolVersion: 5 }));
      const disconnect = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
      await expect(client.publishAsync('/provision/request', '{"provisionDeviceSecret":"s"}', { qos: 1 })).rejects.toThrow();
      expect(await disconnect).toBe(0x83);
      expect(await closedByServer(client)).toBe(true);
    });
  });

  describe('over HTTP', () => {
    it('answers 200 with SUCCESS, and the device then posts telemetry with its new token', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const name = unique('http-provisioned');
      const { status, body } = await provisionOverHttp(JSON.stringify({ deviceName: name, ...keys }));
      expect(status).toBe(200);
      expect(body).toMatchObject({ credentialsType: 'ACCESS_TOKEN', status: 'SUCCESS' });
      const posted = await deviceRequest(product.url, 'POST', `/api/v1/${body.credentialsValue}/telemetry`, '{"viaHttp":7}');
      expect(posted.status).toBe(200);
      expect((await latestOnceStored(rest, await deviceId(name), 'viaHttp')).viaHttp[0].value).toBe('7');
    });

    it('answers 200 with NOT_FOUND and FAILURE too (checklist 34), and 400 with a reason for a malformed request', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      expect(await provisionOverHttp(JSON.stringify({ deviceName: unique('http-x'), ...keys, provisionDeviceSecret: 'wrong' }))).toEqual({
        status: 200,
        body: NOT_FOUND,
      });
      const name = unique('http-twice');
      await provisionOverHttp(JSON.stringify({ deviceName: name, ...keys }));
      expect(await provisionOverHttp(JSON.stringify({ deviceName: name, ...keys }))).toEqual({ status: 200, body: FAILURE });

      for (const malformed of ['not json', '[]', '{"provisionDeviceSecret":"s"}', JSON.stringify({ ...keys, credentialsType: 'NOPE' })]) {
        const reply = await provisionOverHttp(malformed);
        expect(reply.status, malformed).toBe(400);
        expect(reply.body).toMatchObject({ status: 400, message: expect.any(String) });
      }
    });
  });
});
