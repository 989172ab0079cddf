import { beforeAll, describe, expect, it } from 'vitest';
import { deviceRequest } from './support/http-device';
import type { RestClient } from './support/product.mjs';
import { useProduct } from './support/product-fixture';
import { customerWithUser } from './support/users';

const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';

/**
 * Device claiming on the built product (device-api.md §1.10, §2.2, §8.7): the device registers a secret over
 * MQTT (mqtt.js) or HTTP, and a customer user who knows it claims the device through the REST API.
 */
describe('device claiming', () => {
  const product = useProduct();
  let sequence = 0;
  /** Two customers with one user each, logged in. */
  const customers: { id: string; rest: RestClient }[] = [];

  beforeAll(async () => {
    customers.push(await customerWithUser(product.url, product.rest, 'Acme'), await customerWithUser(product.url, product.rest, 'Globex'));
  });

  const device = async () => {
    const token = `CLAIM_E2E_${++sequence}`;
    const name = `claim-e2e-${sequence}`;
    const { id } = await product.rest.createDevice(name, token);
    return { id: id.id as string, name, token };
  };
  const claim = (customer: { rest: RestClient }, name: string, secretKey: string) =>
    customer.rest.request('POST', `/api/customer/device/${name}/claim`, { secretKey });
  const ownerOf = async (deviceId: string) => (await product.rest.request('GET', `/api/device/${deviceId}`)).body.customerId.id as string;
  const claimOverHttp = async (token: string, body: string) =>
    (await deviceRequest(product.url, 'POST', `/api/v1/${token}/claim`, body)).status;

  it('a device claims over MQTT and the customer user who knows the secret gets it', async () => {
    const [acme] = customers;
    const { id, name, token } = await device();
    const client = await product.connectMqtt({ username: token });
    await client.publishAsync('v1/devices/me/claim', '{"secretKey":"mqtt-secret","durationMs":60000}', { qos: 1 });

    const claimed = await claim(acme, name, 'mqtt-secret');
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ response: 'SUCCESS', device: { id: { id }, name, customerId: { id: acme.id } } });
    expect(await ownerOf(id)).toBe(acme.id);
    expect((await acme.rest.request('GET', `/api/device/${id}`)).status).toBe(200);
  });

  it('a device claims over HTTP; a wrong secret uses the registration up, an expired one fails, another customer gets CLAIMED', async () => {
    const [acme, globex] = customers;
    const { id, name, token } = await device();
    expect(await claimOverHttp(token, '{"secretKey":"http-secret"}')).toBe(200);
    expect(await claim(acme, name, 'wrong')).toMatchObject({ status: 400, body: 'FAILURE' });
    expect(await claim(acme, name, 'http-secret')).toMatchObject({ status: 400, body: 'FAILURE' });

    expect(await claimOverHttp(token, '{"secretKey":"late","durationMs":1}')).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await claim(acme, name, 'late')).toMatchObject({ status: 400, body: 'FAILURE' });

    expect(await claimOverHttp(token, '{"secretKey":"http-secret"}')).toBe(200);
    expect((await claim(acme, name, 'http-secret')).status).toBe(200);
    expect(await claim(globex, name, 'http-secret')).toMatchObject({ status: 400, body: 'CLAIMED' });
    expect(await ownerOf(id)).toBe(acme.id);
    expect(await claimOverHttp(token, 'not json')).toBe(400);
  });

  it('reclaim gives the device back, so that a device registration lets another customer claim it', async () => {
    const [acme, globex] = customers;
    const { id, name, token } = await device();
    expect(await claimOverHttp(token, '')).toBe(200); // no body: the empty secret
    expect((await claim(acme, name, '')).status).toBe(200);

    expect((await globex.rest.request('DELETE', `/api/customer/device/${name}/claim`)).status).toBe(403);
    expect((await acme.rest.request('DELETE', `/api/customer/device/${name}/claim`)).status).toBe(200);
    expect(await ownerOf(id)).toBe(NULL_UUID);

    expect(await claimOverHttp(token, '{"secretKey":"second"}')).toBe(200);
    expect((await claim(globex, name, 'second')).status).toBe(200);
    expect((await product.rest.request('DELETE', `/api/customer/device/${name}/claim`)).status).toBe(200);
    expect(await ownerOf(id)).toBe(NULL_UUID);
  });

  it('answers 404 for an unknown device and FAILURE for a device that never registered', async () => {
    const [acme] = customers;
    expect((await claim(acme, 'no-such-device', '')).status).toBe(404);
    const { name } = await device();
    expect(await claim(acme, name, '')).toMatchObject({ status: 400, body: 'FAILURE' });
  });
});
