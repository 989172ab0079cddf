import { PayloadError, type ServerRpcRequest, type SessionCloseReason, type SessionListener } from '@edgewise/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsService } from '../src/events/events.service';
import { GatewaySessions } from '../src/gateways/gateway-sessions.service';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import type { CoreDeviceSession } from '../src/transport/device-session';
import { SessionRegistry } from '../src/transport/session-registry';
import { eventually } from './eventually';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createCustomerUser, createSecondTenant, okBody, uniqueName } from './tenant-fixtures';

const TB = 'org.thingsboard.rule.engine';

/** What the transport would have sent a device (gateway or child). */
class RecordingListener implements SessionListener {
  readonly updates: string[] = [];
  readonly rpcs: ServerRpcRequest[] = [];
  readonly closes: SessionCloseReason[] = [];
  onAttributeUpdate(payload: string) {
    this.updates.push(payload);
  }
  onServerRpc(request: ServerRpcRequest) {
    this.rpcs.push(request);
    return Promise.resolve();
  }
  onClose(reason: SessionCloseReason) {
    this.closes.push(reason);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The core of the gateway API (device-api.md §4): child devices found or created by name in the gateway's
 * tenant, their sessions under the gateway's, the notices a gateway gets, and the REST list of its children —
 * driven as the MQTT transport drives `TransportContext.openGatewayChildSession`, observed through the REST API.
 */
describe('gateway child devices in the core', () => {
  let app: TestApp;
  let api: ApiClient;
  let registry: SessionRegistry;
  let gateways: GatewaySessions;

  /** A gateway device (additionalInfo.gateway) with an open session subscribed to its own RPC, as an MQTT gateway has. */
  const openGateway = async (additionalInfo: Record<string, unknown> = {}, client = api) => {
    const token = uniqueName('GW');
    const device = okBody(
      await client.post(`/api/device?accessToken=${token}`, { name: token, additionalInfo: { gateway: true, ...additionalInfo } }),
      'gateway',
    );
    const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token });
    if (!auth.ok) throw new Error(auth.reason);
    const listener = new RecordingListener();
    const session = registry.open(auth.device, listener);
    session.setRpcSubscription(true);
    return { id: device.id.id as string, name: token, session, listener };
  };
  type Gateway = Awaited<ReturnType<typeof openGateway>>;

  const connectChild = async (gateway: Gateway, name: string, type?: string) => {
    const listener = new RecordingListener();
    const session = (await gateways.openChild(gateway.session, name, type, listener)) as CoreDeviceSession;
    return { session, listener };
  };

  const deviceNamed = async (name: string, client = api) => {
    const result = await client.get(`/api/tenant/devices?deviceName=${encodeURIComponent(name)}`);
    return result.status === 200 ? result.body : undefined;
  };

  const serverAttributes = async (deviceId: string): Promise<Record<string, unknown>> => {
    const body = okBody(await api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE`), 'attributes');
    return Object.fromEntries((body as { key: string; value: unknown }[]).map((a) => [a.key, a.value]));
  };

  const childList = async (gatewayId: string, query = 'pageSize=100&page=0', client = api) =>
    client.get(`/api/gateway/${gatewayId}/devices?${query}`);

  /** A device profile whose rule chain records every message (read back from the node's debug events). */
  const recordedProfile = async () => {
    const chain = okBody(await api.post('/api/ruleChain', { name: uniqueName('Recorder') }), 'chain');
    const recorder = {
      type: `${TB}.filter.TbMsgTypeSwitchNode`,
      name: 'Recorder',
      configuration: { version: 0 },
      debugSettings: { allEnabled: true },
    };
    const metadata = okBody(
      await api.post('/api/ruleChain/metadata', { ruleChainId: chain.id, firstNodeIndex: 0, nodes: [recorder], connections: [] }),
      'chain metadata',
    );
    const profile = okBody(
      await api.post('/api/deviceProfile', {
        name: uniqueName('Recorded'),
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        defaultRuleChainId: chain.id,
        profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
      }),
      'profile',
    );
    const nodeId = metadata.nodes[0].id.id as string;
    const tenantId = profile.tenantId.id as string;
    const received = async (type: string, originatorId: string) => {
      await app.running.app.get(EventsService).flush();
      const page = okBody(
        await api.get(`/api/events/RULE_NODE/${nodeId}/DEBUG_RULE_NODE?tenantId=${tenantId}&pageSize=1000&page=0`),
        'events',
      );
      return (page.data as { body: Record<string, string> }[])
        .map((e) => e.body)
        .filter((body) => body.type === 'IN' && body.msgType === type && body.entityId === originatorId)
        .map((body) => ({ metadata: JSON.parse(body.metadata) as Record<string, string>, data: JSON.parse(body.data) }));
    };
    return { name: profile.name as string, id: profile.id.id as string, received };
  };

  beforeAll(async () => {
    app = await startTestApp({ DEVICE_ACTIVITY_REPORT_MS: '50' });
    api = await app.api.login(TENANT_ADMIN);
    registry = app.running.app.get(SessionRegistry);
    gateways = app.running.app.get(GatewaySessions);
  });
  afterAll(() => app?.close());

  describe('connect: find or create by name (device-api.md §4.3)', () => {
    it("creates a new child with the type as its profile, the gateway's customer, a Created relation and lastConnectedGateway", async () => {
      const customer = okBody(await api.post('/api/customer', { title: uniqueName('Plant') }), 'customer');
      const gateway = await openGateway();
      okBody(await api.post(`/api/customer/${customer.id.id}/device/${gateway.id}`), 'assign gateway');
      const name = uniqueName('Thermostat A');
      const type = uniqueName('Thermostat');
      const { session } = await connectChild(gateway, name, type);

      const device = await deviceNamed(name);
      expect(device).toMatchObject({
        name,
        type,
        customerId: { id: customer.id.id },
        additionalInfo: { lastConnectedGateway: gateway.id },
      });
      expect(session.device).toMatchObject({ deviceId: device.id.id, deviceName: name, deviceType: type, isGateway: false });
      const profile = okBody(await api.get(`/api/deviceProfile/${device.deviceProfileId.id}`), 'profile');
      expect(profile.name).toBe(type);
      const relations = okBody(await api.get(`/api/relations?fromId=${gateway.id}&fromType=DEVICE`), 'relations');
      expect(relations).toEqual([
        expect.objectContaining({ from: { entityType: 'DEVICE', id: gateway.id }, to: device.id, type: 'Created', typeGroup: 'COMMON' }),
      ]);
      const credentials = okBody(await api.get(`/api/device/${device.id.id}/credentials`), 'credentials');
      expect(credentials).toMatchObject({ credentialsType: 'ACCESS_TOKEN', credentialsId: expect.stringMatching(/^[A-Za-z0-9]{20}$/) });
    });

    it('sends ENTITY_CREATED on the device’s profile chain with the gateway in the metadata, and the child’s CONNECT_EVENT', async () => {
      const profile = await recordedProfile();
      const gateway = await openGateway();
      const name = uniqueName('Recorded child');
      await connectChild(gateway, name, profile.name);
      const device = await deviceNamed(name);
      const created = await eventually(
        () => profile.received('ENTITY_CREATED', device.id.id),
        (found) => found.length > 0,
      );
      expect(created).toHaveLength(1);
      expect(created[0].metadata).toEqual({ gatewayId: gateway.id });
      expect(created[0].data).toEqual(device);
      const connected = await eventually(
        () => profile.received('CONNECT_EVENT', device.id.id),
        (found) => found.length > 0,
      );
      expect(connected[0].metadata).toMatchObject({ deviceName: name, deviceType: profile.name });
    });

    it('uses the type "default" when none is given, and keeps an existing device’s type, profile and customer', async () => {
      const gateway = await openGateway();
      const fresh = uniqueName('Untyped');
      await connectChild(gateway, fresh);
      expect((await deviceNamed(fresh)).type).toBe('default');

      const existingName = uniqueName('Existing');
      const existing = okBody(
        await api.post('/api/device', { name: existingName, type: 'Boiler', additionalInfo: { note: 'kept' } }),
        'existing',
      );
      const { session } = await connectChild(gateway, existingName, 'Something else');
      const after = await deviceNamed(existingName);
      expect(after).toMatchObject({ id: existing.id, type: 'Boiler', deviceProfileId: existing.deviceProfileId });
      expect(after.additionalInfo).toEqual({ note: 'kept', lastConnectedGateway: gateway.id });
      expect(session.device.deviceId).toBe(existing.id.id);
      expect(okBody(await api.get(`/api/relations?fromId=${gateway.id}&fromType=DEVICE`), 'relations')).toHaveLength(1); // only `fresh`
    });

    it('moves lastConnectedGateway to the gateway that connected the device last', async () => {
      const first = await openGateway();
      const second = await openGateway();
      const name = uniqueName('Roaming');
      await connectChild(first, name);
      await connectChild(second, name);
      expect((await deviceNamed(name)).additionalInfo.lastConnectedGateway).toBe(second.id);
    });

    it('creates one device when the same new name is connected concurrently through several gateway sessions', async () => {
      const profile = await recordedProfile();
      const [one, two] = [await openGateway(), await openGateway()];
      const name = uniqueName('Contended');
      const sessions = await Promise.all(Array.from({ length: 8 }, (_, i) => connectChild(i % 2 ? one : two, name, profile.name)));
      const device = await deviceNamed(name);
      expect(new Set(sessions.map(({ session }) => session.device.deviceId))).toEqual(new Set([device.id.id]));
      const page = okBody(await api.get(`/api/tenant/devices?pageSize=100&page=0&textSearch=${encodeURIComponent(name)}`), 'devices');
      expect(page.totalElements).toBe(1);
      const createdRelations = [
        ...okBody(await api.get(`/api/relations?fromId=${one.id}&fromType=DEVICE`), 'relations'),
        ...okBody(await api.get(`/api/relations?fromId=${two.id}&fromType=DEVICE`), 'relations'),
      ];
      expect(createdRelations).toHaveLength(1);
      await eventually(
        () => profile.received('CONNECT_EVENT', device.id.id),
        (found) => found.length > 0,
      );
      expect(await profile.received('ENTITY_CREATED', device.id.id)).toHaveLength(1);
    });

    it('finds and creates only in the gateway’s tenant: another tenant’s device of that name is never touched', async () => {
      const sysadmin = await app.api.login(SYSADMIN);
      const { adminApi: otherTenant } = await createSecondTenant(sysadmin);
      const name = uniqueName('Shared name');
      const foreign = okBody(await otherTenant.post('/api/device', { name, label: 'theirs' }), 'foreign device');
      const gateway = await openGateway();
      const { session } = await connectChild(gateway, name);
      expect(session.device.deviceId).not.toBe(foreign.id.id);
      expect(session.device.tenantId).not.toBe(foreign.tenantId.id);
      await session.postTelemetry('{"mine":1}');
      expect(okBody(await otherTenant.get(`/api/device/${foreign.id.id}`), 'foreign after')).toEqual(foreign);
      expect(okBody(await otherTenant.get(`/api/plugins/telemetry/DEVICE/${foreign.id.id}/keys/timeseries`), 'keys')).toEqual([]);
      expect((await deviceNamed(name)).id.id).toBe(session.device.deviceId);
    });

    it.each([
      ['an empty name', ''],
      ['a blank name', '   '],
      ['a name of 256 characters', 'x'.repeat(256)],
      ['a name with a NUL character', 'bad\u0000name'],
    ])('refuses %s with PayloadError and creates nothing', async (_case, name) => {
      const gateway = await openGateway();
      const before = okBody(await api.get('/api/tenant/devices?pageSize=1&page=0'), 'count').totalElements;
      await expect(gateways.openChild(gateway.session, name, undefined, new RecordingListener())).rejects.toBeInstanceOf(PayloadError);
      expect(okBody(await api.get('/api/tenant/devices?pageSize=1&page=0'), 'count').totalElements).toBe(before);
    });

    it('accepts a name of exactly 255 characters (the device name column) and refuses a type over 255', async () => {
      const gateway = await openGateway();
      const name = `${uniqueName('L')}-`.padEnd(255, 'x');
      await connectChild(gateway, name);
      expect((await deviceNamed(name)).name).toBe(name);
      await expect(gateways.openChild(gateway.session, uniqueName('T'), 't'.repeat(256), new RecordingListener())).rejects.toThrow(
        /Device type is 256 characters long/,
      );
    });

    it('refuses a session that is not an open gateway session', async () => {
      const token = uniqueName('PLAIN');
      okBody(await api.post(`/api/device?accessToken=${token}`, { name: token }), 'plain device');
      const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token });
      if (!auth.ok) throw new Error(auth.reason);
      const plain = registry.open(auth.device, new RecordingListener());
      await expect(gateways.openChild(plain, uniqueName('x'), undefined, new RecordingListener())).rejects.toThrow(/is not a gateway/);
      const gateway = await openGateway();
      gateway.session.close();
      await expect(gateways.openChild(gateway.session, uniqueName('y'), undefined, new RecordingListener())).rejects.toThrow(
        /open gateway session/,
      );
    });
  });

  describe('child sessions are first-class device sessions', () => {
    it("stores a child's telemetry and attributes under the child, typed as the child sent them", async () => {
      const gateway = await openGateway();
      const { session } = await connectChild(gateway, uniqueName('Meter'));
      await session.postTelemetry('[{"ts":1700000000000,"values":{"power":42.0}}]');
      await session.postAttributes('{"fw":"v1.2"}');
      const latest = await eventually(
        () => api.get(`/api/plugins/telemetry/DEVICE/${session.device.deviceId}/values/timeseries?useStrictDataTypes=true`),
        (result) => result.body?.power !== undefined,
      );
      expect(latest.text).toContain('"power":[{"ts":1700000000000,"value":42.0}]');
      const attributes = await eventually(
        () => api.get(`/api/plugins/telemetry/DEVICE/${session.device.deviceId}/values/attributes/CLIENT_SCOPE`),
        (result) => Array.isArray(result.body) && result.body.length > 0,
      );
      expect(attributes.body).toEqual([expect.objectContaining({ key: 'fw', value: 'v1.2' })]);
      expect(okBody(await api.get(`/api/plugins/telemetry/DEVICE/${gateway.id}/keys/timeseries`), 'gateway keys')).toEqual([]);
    });

    it('pushes shared attributes and server RPC of the child through the child’s listener (it is subscribed from the start)', async () => {
      const gateway = await openGateway();
      const { session, listener } = await connectChild(gateway, uniqueName('Valve'));
      okBody(await api.post(`/api/plugins/telemetry/DEVICE/${session.device.deviceId}/SHARED_SCOPE`, { target: 22 }), 'shared');
      await eventually(
        async () => listener.updates,
        (updates) => updates.length > 0,
      );
      expect(listener.updates).toEqual(['{"target":22}']);

      const call = api.post(`/api/rpc/twoway/${session.device.deviceId}`, { method: 'setGpio', params: { pin: 4 } });
      await eventually(
        async () => listener.rpcs,
        (rpcs) => rpcs.length > 0,
      );
      expect(listener.rpcs[0]).toMatchObject({ method: 'setGpio', params: { pin: 4 }, oneway: false });
      session.replyToServerRpc(listener.rpcs[0].id, '{"done":true}');
      const reply = await call;
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ done: true });
    });

    it('closes every child session with the gateway session: each child records its disconnect', async () => {
      const gateway = await openGateway();
      const children = await Promise.all([connectChild(gateway, uniqueName('C1')), connectChild(gateway, uniqueName('C2'))]);
      const ids = children.map(({ session }) => session.device.deviceId);
      for (const id of ids)
        await eventually(
          () => serverAttributes(id),
          (state) => Number(state.lastConnectTime) > 0,
        );
      gateway.session.close();
      for (const { session } of children) expect(registry.sessionsOf(session.device.deviceId).size).toBe(0);
      for (const id of ids) {
        const state = await eventually(
          () => serverAttributes(id),
          (s) => Number(s.lastDisconnectTime) >= Number(s.lastConnectTime),
        );
        expect(Number(state.lastDisconnectTime)).toBeGreaterThanOrEqual(Number(state.lastConnectTime));
      }
    });

    it('with overwriteActivityTime, the gateway’s activity (e.g. PINGREQ) refreshes its children’s lastActivityTime', async () => {
      const plain = await openGateway();
      const overwriting = await openGateway({ overwriteActivityTime: true });
      const { session: quiet } = await connectChild(plain, uniqueName('Quiet'));
      const { session: inheriting } = await connectChild(overwriting, uniqueName('Inheriting'));
      const activityOf = async (id: string) =>
        Number(
          (
            await eventually(
              () => serverAttributes(id),
              (s) => Number(s.lastActivityTime) > 0,
            )
          ).lastActivityTime,
        );
      const quietBefore = await activityOf(quiet.device.deviceId);
      const inheritingBefore = await activityOf(inheriting.device.deviceId);
      await sleep(1_100); // past the relay interval, so the next gateway activity counts for the children
      plain.session.reportActivity();
      overwriting.session.reportActivity();
      const after = await eventually(
        () => serverAttributes(inheriting.device.deviceId),
        (s) => Number(s.lastActivityTime) > inheritingBefore,
      );
      expect(Number(after.lastActivityTime)).toBeGreaterThan(inheritingBefore);
      await sleep(200); // several activity flushes
      expect(await activityOf(quiet.device.deviceId)).toBe(quietBefore);
    });
  });

  describe('deleted and renamed children: the gateway is told by RPC (device-api.md §4.4)', () => {
    it('deleting a child sends gateway_device_deleted to its gateway and drops the child session', async () => {
      const gateway = await openGateway();
      const name = uniqueName('Doomed');
      const { session, listener } = await connectChild(gateway, name);
      okBody(await api.delete(`/api/device/${session.device.deviceId}`), 'delete child');
      expect(listener.closes).toEqual(['DEVICE_DELETED']);
      await eventually(
        async () => gateway.listener.rpcs,
        (rpcs) => rpcs.length > 0,
      );
      expect(gateway.listener.rpcs).toEqual([expect.objectContaining({ method: 'gateway_device_deleted', params: name, oneway: true })]);
      const stored = okBody(await api.get(`/api/rpc/persistent/device/${gateway.id}?pageSize=10&page=0`), 'persistent rpcs');
      expect(stored.data).toHaveLength(1);
      const rpc = stored.data[0];
      expect(rpc.request.body).toEqual({ method: 'gateway_device_deleted', params: JSON.stringify(name) });
      expect(rpc.request).toMatchObject({ oneway: true, retries: 3 });
      const day = 24 * 60 * 60 * 1000;
      expect(Math.abs(rpc.expirationTime - rpc.createdTime - day)).toBeLessThan(1_000); // expires in 24 h
      expect(registry.sessionsOf(gateway.session.device.deviceId).has(gateway.session)).toBe(true);
    });

    it('renaming a child sends gateway_device_renamed {"old":"new"}; other updates send nothing', async () => {
      const gateway = await openGateway();
      const name = uniqueName('Before');
      const { session } = await connectChild(gateway, name);
      const device = okBody(await api.get(`/api/device/${session.device.deviceId}`), 'child');
      okBody(await api.post('/api/device', { ...device, label: 'only a label' }), 'relabel');
      const relabelled = okBody(await api.get(`/api/device/${session.device.deviceId}`), 'child');
      okBody(await api.post('/api/device', { ...relabelled, name: `${name}-after` }), 'rename');
      await eventually(
        async () => gateway.listener.rpcs,
        (rpcs) => rpcs.length > 0,
      );
      await sleep(100);
      expect(gateway.listener.rpcs).toEqual([
        expect.objectContaining({ method: 'gateway_device_renamed', params: { [name]: `${name}-after` }, oneway: true }),
      ]);
    });

    it('tells nobody about a device that no gateway connected, nor a gateway of another tenant named in additionalInfo', async () => {
      const sysadmin = await app.api.login(SYSADMIN);
      const { adminApi: otherTenant } = await createSecondTenant(sysadmin);
      const foreignGateway = okBody(
        await otherTenant.post('/api/device', { name: uniqueName('Theirs'), additionalInfo: { gateway: true } }),
        'gw',
      );
      const spoofed = okBody(
        await api.post('/api/device', { name: uniqueName('Spoof'), additionalInfo: { lastConnectedGateway: foreignGateway.id.id } }),
        'spoof',
      );
      const plain = okBody(await api.post('/api/device', { name: uniqueName('Plain') }), 'plain');
      okBody(await api.delete(`/api/device/${spoofed.id.id}`), 'delete spoof');
      okBody(await api.delete(`/api/device/${plain.id.id}`), 'delete plain');
      await sleep(200);
      const theirs = okBody(await otherTenant.get(`/api/rpc/persistent/device/${foreignGateway.id.id}?pageSize=10&page=0`), 'rpcs');
      expect(theirs.data).toEqual([]);
    });
  });

  describe('REST: GET /api/gateway/{gatewayId}/devices', () => {
    it("lists the gateway's children with their connection state, paged and searchable", async () => {
      const gateway = await openGateway();
      const names = [uniqueName('Alpha'), uniqueName('Beta'), uniqueName('Gamma')];
      const children = [];
      for (const name of names) children.push(await connectChild(gateway, name));
      okBody(await api.post('/api/device', { name: uniqueName('Not a child') }), 'unrelated');
      for (const { session } of children)
        await eventually(
          () => serverAttributes(session.device.deviceId),
          (s) => s.active === true && Number(s.lastConnectTime) > 0,
        );

      const page = okBody(await childList(gateway.id, 'pageSize=2&page=0&sortProperty=name&sortOrder=ASC'), 'children');
      expect(page).toMatchObject({ totalElements: 3, totalPages: 2, hasNext: true });
      expect(page.data.map((d: { name: string }) => d.name)).toEqual(names.slice(0, 2));
      expect(page.data[0]).toMatchObject({
        id: { entityType: 'DEVICE', id: children[0].session.device.deviceId },
        type: 'default',
        additionalInfo: { lastConnectedGateway: gateway.id },
        active: true,
        connected: true,
        lastDisconnectTime: 0,
      });
      expect(page.data[0].lastConnectTime).toBeGreaterThan(0);
      expect(page.data[0].lastActivityTime).toBeGreaterThanOrEqual(page.data[0].lastConnectTime);
      const searched = okBody(
        await childList(gateway.id, `pageSize=10&page=0&textSearch=${encodeURIComponent(names[2].toUpperCase())}`),
        'search',
      );
      expect(searched.data.map((d: { name: string }) => d.name)).toEqual([names[2]]);

      gateway.session.close();
      const after = await eventually(
        async () => okBody(await childList(gateway.id), 'after'),
        (list) => list.data.every((d: { connected: boolean }) => !d.connected),
      );
      for (const child of after.data) expect(child.lastDisconnectTime).toBeGreaterThanOrEqual(child.lastConnectTime);
    });

    it('answers 404 for an unknown or another tenant’s gateway, 400 for a device that is not a gateway or a bad id', async () => {
      const sysadmin = await app.api.login(SYSADMIN);
      const { adminApi: otherTenant } = await createSecondTenant(sysadmin);
      const foreign = okBody(
        await otherTenant.post('/api/device', { name: uniqueName('Foreign GW'), additionalInfo: { gateway: true } }),
        'foreign',
      );
      const plain = okBody(await api.post('/api/device', { name: uniqueName('Plain') }), 'plain');
      const unknown = await childList('0b5b6b2e-8d1e-4f0a-9d0c-3b2b1a000000');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ errorCode: 32, message: 'Device with id [0b5b6b2e-8d1e-4f0a-9d0c-3b2b1a000000] is not found' });
      expect((await childList(foreign.id.id)).status).toBe(404);
      const notGateway = await childList(plain.id.id);
      expect(notGateway.status).toBe(400);
      expect(notGateway.body.message).toMatch(/is not a gateway: set additionalInfo.gateway to true/);
      expect((await childList('not-a-uuid')).status).toBe(400);
      expect((await childList(plain.id.id, 'page=0')).status).toBe(400);
      expect((await new ApiClient(app.url).get(`/api/gateway/${plain.id.id}/devices?pageSize=1&page=0`)).status).toBe(401);
    });

    it("shows a customer user only its customer's gateway and that customer's children", async () => {
      const { customerId, userApi } = await createCustomerUser(api, uniqueName('Customer'));
      const theirs = await openGateway();
      okBody(await api.post(`/api/customer/${customerId}/device/${theirs.id}`), 'assign gateway');
      const childName = uniqueName('Customer child');
      await connectChild(theirs, childName);
      const other = await openGateway();
      expect((await childList(other.id, 'pageSize=10&page=0', userApi)).status).toBe(404);
      const page = okBody(await childList(theirs.id, 'pageSize=10&page=0', userApi), 'customer children');
      expect(page.data.map((d: { name: string }) => d.name)).toEqual([childName]);
    });
  });
});
