import { PayloadError, SessionListener } from '@edgewise/plugin-api';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceClaimEntity } from '../src/claiming/device-claim.entity';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import type { CoreDeviceSession } from '../src/transport/device-session';
import { SessionRegistry } from '../src/transport/session-registry';
import { ApiClient, startTestApp, TENANT_ADMIN } from './harness';
import { RuleMessageRecorder } from './rule-message-recorder';
import { createCustomerUser, okBody, uniqueName } from './tenant-fixtures';

const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';
const silent: SessionListener = { onAttributeUpdate() {}, onServerRpc: () => Promise.resolve(), onClose() {} };

/** Shared by both configurations: a device that claims through its session, customers that claim over REST. */
async function claimingWorld(env: Record<string, string> = {}) {
  const app = await startTestApp(env);
  const api = await app.api.login(TENANT_ADMIN);
  const sessionOf = async (token: string): Promise<CoreDeviceSession> => {
    const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token });
    if (!auth.ok) throw new Error(auth.reason);
    return app.running.app.get(SessionRegistry).open(auth.device, silent);
  };
  /** A new unassigned device and its open session. */
  const device = async () => {
    const token = uniqueName('CLAIM');
    const created = okBody(await api.post(`/api/device?accessToken=${token}`, { name: uniqueName('claimable') }), 'device');
    return { id: created.id.id as string, name: created.name as string, session: await sessionOf(token) };
  };
  const claimAs = (userApi: ApiClient, name: string, body?: unknown) =>
    userApi.post(`/api/customer/device/${encodeURIComponent(name)}/claim`, body);
  const ownerOf = async (deviceId: string) => okBody(await api.get(`/api/device/${deviceId}`), 'device').customerId.id as string;
  const serverAttributes = async (deviceId: string) =>
    Object.fromEntries(
      okBody(await api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE`), 'attributes').map(
        (a: { key: string; value: unknown }) => [a.key, a.value],
      ),
    );
  return { app, api, device, claimAs, ownerOf, serverAttributes };
}

/** Device claiming (device-api.md §1.10, §8.7): the device registers through its session, a customer user claims over REST. */
describe('device claiming', () => {
  let world: Awaited<ReturnType<typeof claimingWorld>>;
  let acme: { customerId: string; userApi: ApiClient };
  let globex: { customerId: string; userApi: ApiClient };
  let recorder: RuleMessageRecorder;

  beforeAll(async () => {
    world = await claimingWorld();
    acme = await createCustomerUser(world.api, uniqueName('Acme'));
    globex = await createCustomerUser(world.api, uniqueName('Globex'));
    recorder = await RuleMessageRecorder.asRootChain(world.app, world.api);
  });
  afterAll(() => world?.app.close());

  it('assigns the device to the customer who presents the registered secret, and tells the rule engine', async () => {
    const { id, name, session } = await world.device();
    await session.claim('{"secretKey":"s3cret","durationMs":60000}');
    const claimed = await world.claimAs(acme.userApi, name, { secretKey: 's3cret' });
    expect(claimed.status).toBe(200);
    expect(Object.keys(claimed.body)).toEqual(['device', 'response']);
    expect(claimed.body).toMatchObject({ response: 'SUCCESS', device: { id: { id }, name, customerId: { id: acme.customerId } } });
    expect(await world.ownerOf(id)).toBe(acme.customerId);
    expect((await acme.userApi.get(`/api/device/${id}`)).status).toBe(200); // now visible to the customer

    const [assigned] = await recorder.messages('ENTITY_ASSIGNED', id);
    expect(assigned.metadata).toMatchObject({ assignedCustomerId: acme.customerId, customerId: acme.customerId, entityName: name });
    expect(assigned.data.customerId.id).toBe(acme.customerId);
  });

  it('answers 400 "CLAIMED" to another customer, and "FAILURE" without a registration', async () => {
    const { name, session } = await world.device();
    const unregistered = await world.claimAs(acme.userApi, name, { secretKey: '' });
    expect(unregistered).toMatchObject({ status: 400, text: '"FAILURE"' });

    await session.claim('');
    expect((await world.claimAs(acme.userApi, name)).status).toBe(200); // no body: the empty secret matches the empty one
    const again = await world.claimAs(globex.userApi, name, { secretKey: '' });
    expect(again).toMatchObject({ status: 400, text: '"CLAIMED"' });
  });

  it('uses a registration up on a wrong secret, refuses an expired one, and lets a newer registration replace an older one', async () => {
    const { id, name, session } = await world.device();
    await session.claim('{"secretKey":"right"}');
    expect((await world.claimAs(acme.userApi, name, { secretKey: 'wrong' })).body).toBe('FAILURE');
    expect((await world.claimAs(acme.userApi, name, { secretKey: 'right' })).body).toBe('FAILURE'); // must register again

    await session.claim('{"secretKey":"late","durationMs":1}');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await world.claimAs(acme.userApi, name, { secretKey: 'late' })).body).toBe('FAILURE');

    await session.claim('{"secretKey":"old"}');
    await session.claim('{"secretKey":"new"}');
    expect((await world.claimAs(acme.userApi, name, { secretKey: 'old' })).body).toBe('FAILURE');
    await session.claim('{"secretKey":"new"}');
    expect((await world.claimAs(acme.userApi, name, { secretKey: 'new' })).status).toBe(200);
    expect(await world.ownerOf(id)).toBe(acme.customerId);
  });

  it('ignores the registration of a device that is assigned already', async () => {
    const { id, name, session } = await world.device();
    okBody(await world.api.post(`/api/customer/${globex.customerId}/device/${id}`), 'assign');
    await session.claim('{"secretKey":"s"}');
    expect((await world.claimAs(acme.userApi, name, { secretKey: 's' })).body).toBe('CLAIMED');
    expect(await world.ownerOf(id)).toBe(globex.customerId);
  });

  it('claims with claim data an administrator set as the claimingData attribute, then removes it', async () => {
    const { id, name } = await world.device();
    const claimingData = JSON.stringify({ secretKey: 'admin-set', expirationTime: Date.now() + 60_000 });
    okBody(await world.api.post(`/api/plugins/telemetry/DEVICE/${id}/SERVER_SCOPE`, { claimingData }), 'claimingData');
    expect((await world.claimAs(acme.userApi, name, { secretKey: 'admin-set' })).status).toBe(200);
    expect(await world.serverAttributes(id)).not.toHaveProperty('claimingData');
  });

  it('refuses a malformed registration with PayloadError and keeps nothing', async () => {
    const { id, session } = await world.device();
    await expect(session.claim('{"secretKey":{}}')).rejects.toBeInstanceOf(PayloadError);
    await expect(session.claim('secret')).rejects.toBeInstanceOf(PayloadError);
    const claims = world.app.running.app.get(DataSource).getRepository(DeviceClaimEntity);
    expect(await claims.findOneBy({ deviceId: id })).toBeNull();
  });

  it('forgets the registration of a deleted device', async () => {
    const { id, session } = await world.device();
    await session.claim('{"secretKey":"gone"}');
    const claims = world.app.running.app.get(DataSource).getRepository(DeviceClaimEntity);
    expect(await claims.findOneBy({ deviceId: id })).not.toBeNull();
    okBody(await world.api.delete(`/api/device/${id}`), 'delete');
    await expect.poll(() => claims.findOneBy({ deviceId: id })).toBeNull();
  });

  it('answers 404 for an unknown device name and 403 to a tenant administrator', async () => {
    expect((await world.claimAs(acme.userApi, 'no-such-device', { secretKey: '' })).status).toBe(404);
    const { name } = await world.device();
    expect((await world.claimAs(world.api, name, { secretKey: '' })).status).toBe(403);
    expect((await world.claimAs(acme.userApi, name, { secretKey: 42 })).status).toBe(400);
  });

  describe('reclaim', () => {
    it('unassigns the device for the tenant administrator or the owning customer, so it can be claimed again', async () => {
      const { id, name, session } = await world.device();
      await session.claim('{"secretKey":"k"}');
      expect((await world.claimAs(acme.userApi, name, { secretKey: 'k' })).status).toBe(200);

      const byStranger = await globex.userApi.delete(`/api/customer/device/${name}/claim`);
      expect(byStranger.status).toBe(403);
      expect(byStranger.body.message).toMatch(/own customer/);

      const byOwner = await acme.userApi.delete(`/api/customer/device/${name}/claim`);
      expect(byOwner).toMatchObject({ status: 200, text: '' });
      expect(await world.ownerOf(id)).toBe(NULL_UUID);
      const [unassigned] = await recorder.messages('ENTITY_UNASSIGNED', id);
      expect(unassigned.metadata).toMatchObject({ unassignedCustomerId: acme.customerId });

      await session.claim('{"secretKey":"k2"}');
      expect((await world.claimAs(globex.userApi, name, { secretKey: 'k2' })).status).toBe(200);
      expect((await world.api.delete(`/api/customer/device/${name}/claim`)).status).toBe(200);
      expect(await world.ownerOf(id)).toBe(NULL_UUID);
      expect((await world.api.delete('/api/customer/device/no-such-device/claim')).status).toBe(404);
    });
  });
});

describe('device claiming with CLAIM_ALLOW_BY_DEFAULT=false', () => {
  let world: Awaited<ReturnType<typeof claimingWorld>>;
  let acme: { customerId: string; userApi: ApiClient };

  beforeAll(async () => {
    world = await claimingWorld({ CLAIM_ALLOW_BY_DEFAULT: 'false', CLAIM_DURATION_MS: '60000' });
    acme = await createCustomerUser(world.api, uniqueName('Acme'));
  });
  afterAll(() => world?.app.close());

  it('keeps a registration only for devices with SERVER_SCOPE claimingAllowed=true, and sets it again on reclaim', async () => {
    const { id, name, session } = await world.device();
    await session.claim('{"secretKey":"k"}');
    expect((await world.claimAs(acme.userApi, name, { secretKey: 'k' })).body).toBe('FAILURE');

    okBody(await world.api.post(`/api/plugins/telemetry/DEVICE/${id}/SERVER_SCOPE`, { claimingAllowed: true }), 'allow');
    await session.claim('{"secretKey":"k"}');
    expect((await world.claimAs(acme.userApi, name, { secretKey: 'k' })).status).toBe(200);
    expect(await world.serverAttributes(id)).not.toHaveProperty('claimingAllowed');

    expect((await world.api.delete(`/api/customer/device/${name}/claim`)).status).toBe(200);
    expect(await world.serverAttributes(id)).toMatchObject({ claimingAllowed: true });
  });
});
