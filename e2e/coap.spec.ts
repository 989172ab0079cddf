import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoapObserver, coapClient } from './support/coap-client';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import {
  clientAttributesOnceStored,
  eventually,
  expectTypedTelemetryStored,
  latestOnceStored,
  TYPED_TELEMETRY,
} from './support/rest-checks';
import { customerWithUser } from './support/users';

/**
 * The CoAP device API of the built product (device-api.md §3, checklist 35–38), driven by libcoap's
 * `coap-client` as a device would, checked through the REST API as an integrator would.
 */
describe('CoAP device API with libcoap coap-client', () => {
  let product: Product;
  let rest: RestClient;
  let base: string;
  let sequence = 0;
  const scratch = mkdtempSync(join(tmpdir(), 'coap-e2e-'));
  const observers: CoapObserver[] = [];

  beforeAll(async () => {
    product = await startProduct({ CLIENT_RPC_TIMEOUT_MS: '1000' });
    rest = await restClient(product.url);
    base = `coap://127.0.0.1:${product.ports.coap.coap}`;
  });
  afterAll(async () => {
    observers.forEach((observer) => observer.stop());
    rmSync(scratch, { recursive: true, force: true });
    await product?.stop();
  });

  const device = async () => {
    const token = `COAP_E2E_${++sequence}`;
    const { id } = await rest.createDevice(`coap-e2e-${sequence}`, token);
    return { id: id.id as string, token, url: `${base}/api/v1/${token}` };
  };
  const observe = (url: string, seconds: number) => {
    const observer = new CoapObserver(url, seconds);
    observers.push(observer);
    return observer;
  };

  it('stores confirmable and non-confirmable telemetry with ThingsBoard typing (2.01)', async () => {
    const { id, url } = await device();
    const sent = await coapClient(['-m', 'post', '-t', 'json', '-e', TYPED_TELEMETRY, '-v', '6', `${url}/telemetry`]);
    expect(sent.stdout).toMatch(/t:ACK c:2\.01/);
    await expectTypedTelemetryStored(rest, id);
    await coapClient(['-m', 'post', '-N', '-e', '{"nonConfirmable":1}', `${url}/telemetry`]);
    expect((await latestOnceStored(rest, id, 'nonConfirmable')).nonConfirmable[0].value).toBe('1');
  });

  it('takes a payload larger than one datagram block-wise (Block1)', async () => {
    const { id, url } = await device();
    const file = join(scratch, 'big.json');
    writeFileSync(file, JSON.stringify({ big: 'x'.repeat(3000), marker: 7 }));
    await coapClient(['-m', 'post', '-f', file, `${url}/telemetry`]);
    expect((await latestOnceStored(rest, id, 'marker')).big[0].value).toHaveLength(3000);
  });

  it('stores client attributes and answers reads with clientKeys/sharedKeys, 4.04 when nothing matches', async () => {
    const { id, url } = await device();
    await coapClient(['-m', 'post', '-e', '{"fw":"v1.0"}', `${url}/attributes`]);
    expect(await clientAttributesOnceStored(rest, id, 'fw')).toMatchObject([{ key: 'fw', value: 'v1.0' }]);
    await rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE`, { target: 22 });
    const read = await coapClient([`${url}/attributes?clientKeys=fw&sharedKeys=target`]);
    expect(JSON.parse(read.stdout)).toEqual({ client: { fw: 'v1.0' }, shared: { target: 22 } });
    const none = await coapClient([`${url}/attributes?clientKeys=nope`]);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/4\.04/);
  });

  it('pushes shared-attribute updates to an observing coap-client (the full set first, then each change); connected while it observes', async () => {
    const { id, url } = await device();
    await rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE`, { mode: 'eco' });
    const observer = observe(`${url}/attributes`, 4);
    expect(JSON.parse(await observer.line(1))).toEqual({ mode: 'eco' });
    await rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SERVER_SCOPE`, { secret: 1 });
    await rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE`, { target: 23 });
    expect(JSON.parse(await observer.line(2))).toEqual({ target: 23 });
    await rest.request('DELETE', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE?keys=target`);
    expect(JSON.parse(await observer.line(3))).toEqual({ deleted: ['target'] });
    expect(await serverAttribute(id, 'lastConnectTime')).toBeGreaterThan(0);
    expect(await serverAttribute(id, 'lastDisconnectTime')).toBeUndefined();
    await observer.exited; // coap-client stops observing after -s seconds: the device disconnects
    expect(
      await eventually(
        () => serverAttribute(id, 'lastDisconnectTime'),
        (time) => typeof time === 'number',
      ),
    ).toBeGreaterThan(0);
  });

  it('delivers a server-side RPC to an observing coap-client; its reply completes the REST call', async () => {
    const { id, url } = await device();
    const observer = observe(`${url}/rpc`, 10);
    await eventually(
      () => serverAttribute(id, 'lastConnectTime'),
      (connected) => typeof connected === 'number',
    );
    const call = rest.request('POST', `/api/rpc/twoway/${id}`, { method: 'ping', params: { n: 1 } });
    const request = JSON.parse(await observer.line(1));
    expect(request).toEqual({ id: expect.any(Number), method: 'ping', params: { n: 1 } });
    const reply = await coapClient(['-m', 'post', '-e', '{"pong":true}', '-v', '6', `${url}/rpc/${request.id}`]);
    expect(reply.stdout).toMatch(/c:2\.01/);
    const answered = await call;
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual({ pong: true });
  });

  it('answers a client-side RPC nobody replies to with {"error":"timeout"} when that comes before the CoAP timeout (§3.6)', async () => {
    const { url } = await device();
    // The default root chain does not answer; CLIENT_RPC_TIMEOUT_MS (1 s here) is shorter than COAP_TIMEOUT_MS (10 s).
    const answer = await coapClient(['-m', 'post', '-e', '{"method":"getTime","params":{}}', `${url}/rpc`]);
    expect(JSON.parse(answer.stdout)).toEqual({ error: 'timeout' });
  });

  it('refuses an unknown token with 4.01, a bad payload with 4.00, GET telemetry with 4.00 and PUT with 4.05', async () => {
    const { url } = await device();
    const badToken = await coapClient(['-m', 'post', '-e', '{"a":1}', `${base}/api/v1/NO_SUCH_TOKEN/telemetry`]);
    expect(badToken.stderr).toMatch(/4\.01/);
    const badPayload = await coapClient(['-m', 'post', '-e', 'not json', `${url}/telemetry`]);
    expect(badPayload.stderr).toMatch(/4\.00/);
    expect((await coapClient([`${url}/telemetry`])).stderr).toMatch(/4\.00/);
    expect((await coapClient(['-m', 'put', '-e', '{}', `${url}/telemetry`])).stderr).toMatch(/4\.05/);
  });

  describe('provisioning, claiming and firmware', () => {
    it('provisions a device without a token (2.01 with its credentials) that then posts with them; a wrong secret gets 4.00', async () => {
      const keys = { provisionDeviceKey: `coap-key-${Date.now()}`, provisionDeviceSecret: 'coap-secret' };
      const profile = await rest.request('POST', '/api/deviceProfile', {
        name: 'coap-provisioned',
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        provisionType: 'ALLOW_CREATE_NEW_DEVICES',
        provisionDeviceKey: keys.provisionDeviceKey,
        profileData: {
          configuration: { type: 'DEFAULT' },
          transportConfiguration: { type: 'DEFAULT' },
          provisionConfiguration: { type: 'ALLOW_CREATE_NEW_DEVICES', provisionDeviceSecret: keys.provisionDeviceSecret },
        },
      });
      expect(profile.status).toBe(200);
      const request = { deviceName: 'coap-provisioned-1', ...keys };
      const created = await coapClient(['-m', 'post', '-e', JSON.stringify(request), '-v', '6', `${base}/api/v1/provision`]);
      expect(created.stdout).toMatch(/c:2\.01/);
      const answer = JSON.parse(created.stdout.trim().split('\n').at(-1)!);
      expect(answer).toMatchObject({ credentialsType: 'ACCESS_TOKEN', status: 'SUCCESS' });
      await coapClient(['-m', 'post', '-e', '{"provisioned":true}', `${base}/api/v1/${answer.credentialsValue}/telemetry`]);
      const { id } = (await rest.request('GET', '/api/tenant/devices?deviceName=coap-provisioned-1')).body;
      expect((await latestOnceStored(rest, id.id, 'provisioned')).provisioned[0].value).toBe('true');

      const refused = await coapClient([
        '-m',
        'post',
        '-e',
        JSON.stringify({ ...request, provisionDeviceSecret: 'wrong' }),
        `${base}/api/v1/provision`,
      ]);
      // coap-client prints an error response's code and payload on stderr.
      expect(refused.stderr).toMatch(/^4\.00 /);
      expect(JSON.parse(refused.stderr.slice('4.00 '.length))).toEqual({ errorMsg: 'Provision data was not found!', status: 'NOT_FOUND' });
    });

    it('registers a claim (2.01) that a customer then claims with the secret', async () => {
      const { id, url } = await device();
      const sent = await coapClient(['-m', 'post', '-e', '{"secretKey":"coap-secret","durationMs":60000}', '-v', '6', `${url}/claim`]);
      expect(sent.stdout).toMatch(/c:2\.01/);
      const customer = await customerWithUser(product.url, rest, 'CoapCustomer');
      const claimed = await customer.rest.request('POST', `/api/customer/device/coap-e2e-${sequence}/claim`, { secretKey: 'coap-secret' });
      expect(claimed.body).toMatchObject({ response: 'SUCCESS', device: { id: { id }, customerId: { id: customer.id } } });
    });

    it('downloads the assigned firmware from /fw/{token}: whole (block-wise), by chunk, 4.04 when none is assigned', async () => {
      const firmware = randomBytes(5000);
      const profile = await rest.request('POST', '/api/deviceProfile', {
        name: 'coap-ota',
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
      });
      const token = 'COAP_OTA_TOKEN';
      const created = await rest.request('POST', `/api/device?accessToken=${token}`, {
        name: 'coap-ota-device',
        deviceProfileId: profile.body.id,
      });
      expect(created.status).toBe(200);
      const none = await coapClient([`${base}/fw/${token}`]);
      expect(none.stderr).toMatch(/4\.04/);

      const info = await rest.request('POST', '/api/otaPackage', {
        title: 'tracker',
        version: '1.1',
        type: 'FIRMWARE',
        deviceProfileId: profile.body.id,
      });
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(firmware)], { type: 'application/octet-stream' }), 'tracker.bin');
      const adminToken = (await rest.request('POST', '/api/auth/login', { username: 'tenant@thingsboard.org', password: 'tenant' })).body
        .token;
      const uploaded = await fetch(`${product.url}/api/otaPackage/${info.body.id.id}?checksumAlgorithm=SHA256`, {
        method: 'POST',
        headers: { 'x-authorization': `Bearer ${adminToken}` },
        body: form,
      });
      expect(uploaded.status).toBe(200);
      const current = (await rest.request('GET', `/api/deviceProfile/${profile.body.id.id}`)).body;
      expect((await rest.request('POST', '/api/deviceProfile', { ...current, firmwareId: info.body.id })).status).toBe(200);

      const whole = join(scratch, 'whole.bin');
      await coapClient(['-o', whole, `${base}/fw/${token}?title=tracker&version=1.1`]);
      expect(readFileSync(whole)).toEqual(firmware);
      const small = join(scratch, 'small-blocks.bin');
      await coapClient(['-b', '64', '-o', small, `${base}/fw/${token}`]);
      expect(readFileSync(small)).toEqual(firmware);
      const chunk = join(scratch, 'chunk.bin');
      await coapClient(['-o', chunk, `${base}/fw/${token}?size=1000&chunk=2`]);
      expect(readFileSync(chunk)).toEqual(firmware.subarray(2000, 3000));
      expect((await coapClient([`${base}/fw/${token}?title=other`])).stderr).toMatch(/4\.00/);
    });
  });

  async function serverAttribute(deviceId: string, key: string): Promise<unknown> {
    const { body } = await rest.request('GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE?keys=${key}`);
    return (body as { key: string; value: unknown }[]).find((attribute) => attribute.key === key)?.value;
  }
});
