import type { SessionListener } from '@edgewise/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import { SessionRegistry } from '../src/transport/session-registry';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { RecordedMsg, RuleMessageRecorder } from './rule-message-recorder';
import { createCustomerUser, okBody, uniqueName } from './tenant-fixtures';

const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';
const silent: SessionListener = { onAttributeUpdate() {}, onServerRpc: () => Promise.resolve(), onClose() {} };

/**
 * The messages the core itself sends to the rule engine (ThingsBoard's DefaultDeviceStateService and
 * EntityActionService), as a rule chain sees them: type, originator, metadata and data.
 */
describe('rule messages from the core', () => {
  let app: TestApp;
  let api: ApiClient;
  let me: { id: string; email: string };
  let defaultRootId: string;
  /** The root chain: it records everything it receives. */
  let root: RuleMessageRecorder;

  /** The one message of the type from the originator that `recorder` received. */
  const message = async (type: string, originatorId: string, recorder = root): Promise<RecordedMsg> => {
    const found = await recorder.messages(type, originatorId);
    expect(found, `${type} from ${originatorId}`).toHaveLength(1);
    return found[0];
  };

  /** What ThingsBoard puts in the metadata of every user action: who did it. */
  const byMe = () => ({ userId: me.id, userName: me.email, userEmail: me.email });

  const newDevice = async (body: Record<string, unknown> = {}) =>
    okBody(await api.post('/api/device', { name: uniqueName('device'), ...body }), 'device');

  beforeAll(async () => {
    app = await startTestApp({ DEVICE_STATE_CHECK_INTERVAL_MS: '100', DEVICE_ACTIVITY_REPORT_MS: '50' });
    api = await app.api.login(TENANT_ADMIN);
    const user = okBody(await api.get('/api/auth/user'), 'me');
    me = { id: user.id.id, email: user.email };
    defaultRootId = okBody(await api.get('/api/ruleChains?pageSize=10&page=0'), 'chains').data.find((c: { root: boolean }) => c.root).id.id;
    root = await RuleMessageRecorder.asRootChain(app, api);
  });
  afterAll(async () => {
    if (api && defaultRootId) await api.post(`/api/ruleChain/${defaultRootId}/root`);
    await app?.close();
  });

  describe('device lifecycle through the REST API', () => {
    it('ENTITY_CREATED and ENTITY_UPDATED carry the device as the API answered it, and who did it', async () => {
      const created = await newDevice({ label: 'Boiler room' });
      const msg = await message('ENTITY_CREATED', created.id.id);
      expect(msg.originator).toEqual({ entityType: 'DEVICE', id: created.id.id });
      expect(msg.metadata).toEqual({ ...byMe(), entityName: created.name, entityType: 'DEVICE' });
      expect(msg.data).toEqual(created);

      const updated = okBody(await api.post('/api/device', { ...created, label: 'Basement' }), 'update');
      const update = await message('ENTITY_UPDATED', created.id.id);
      expect(update.metadata).toEqual({ ...byMe(), entityName: created.name, entityType: 'DEVICE' });
      expect(update.data).toEqual(updated);
      expect(update.data.label).toBe('Basement');
    });

    it('ENTITY_ASSIGNED / ENTITY_UNASSIGNED name the customer; ENTITY_DELETED carries the device as it was', async () => {
      const device = await newDevice();
      const customer = okBody(await api.post('/api/customer', { title: uniqueName('Acme') }), 'customer');
      const assigned = okBody(await api.post(`/api/customer/${customer.id.id}/device/${device.id.id}`), 'assign');
      const assign = await message('ENTITY_ASSIGNED', device.id.id);
      expect(assign.metadata).toEqual({
        ...byMe(),
        customerId: customer.id.id,
        entityName: device.name,
        entityType: 'DEVICE',
        assignedCustomerId: customer.id.id,
        assignedCustomerName: customer.title,
      });
      expect(assign.data).toEqual(assigned);
      expect(assign.data.customerId.id).toBe(customer.id.id);

      const unassigned = okBody(await api.delete(`/api/customer/device/${device.id.id}`), 'unassign');
      const unassign = await message('ENTITY_UNASSIGNED', device.id.id);
      expect(unassign.metadata).toEqual({
        ...byMe(),
        customerId: customer.id.id,
        entityName: device.name,
        entityType: 'DEVICE',
        unassignedCustomerId: customer.id.id,
        unassignedCustomerName: customer.title,
      });
      expect(unassign.data).toEqual(unassigned);
      expect(unassign.data.customerId.id).toBe(NULL_UUID);

      const before = okBody(await api.get(`/api/device/${device.id.id}`), 'device');
      okBody(await api.delete(`/api/device/${device.id.id}`), 'delete');
      const deleted = await message('ENTITY_DELETED', device.id.id);
      expect(deleted.metadata).toEqual({ ...byMe(), entityName: device.name, entityType: 'DEVICE' });
      expect(deleted.data).toEqual(before);
    });

    it('sends a device’s messages to its profile’s rule chain instead of the root chain', async () => {
      const profileChain = await RuleMessageRecorder.create(app, api, 'Profile chain');
      const profile = okBody(
        await api.post('/api/deviceProfile', {
          name: uniqueName('Routed'),
          type: 'DEFAULT',
          transportType: 'DEFAULT',
          defaultRuleChainId: { entityType: 'RULE_CHAIN', id: profileChain.chainId },
          profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
        }),
        'profile',
      );
      const device = await newDevice({ deviceProfileId: profile.id });
      okBody(await api.post(`/api/plugins/telemetry/DEVICE/${device.id.id}/SERVER_SCOPE`, { routed: true }), 'attributes');
      expect((await message('ENTITY_CREATED', device.id.id, profileChain)).data.deviceProfileId.id).toBe(profile.id.id);
      expect((await message('ATTRIBUTES_UPDATED', device.id.id, profileChain)).data).toEqual({ routed: true });
      expect(await root.about(device.id.id)).toEqual([]);
    });
  });

  describe('attributes and timeseries written through the REST API', () => {
    it('ATTRIBUTES_UPDATED: the saved values in their stored types, the scope, and the user with its customer and names', async () => {
      const device = await newDevice();
      const { customerId, userApi } = await createCustomerUser(api, uniqueName('Customer'));
      okBody(await api.post(`/api/customer/${customerId}/device/${device.id.id}`), 'assign');
      const customerUser = okBody(await userApi.get('/api/auth/user'), 'customer user');
      okBody(await userApi.post('/api/user', { ...customerUser, firstName: 'Ada', lastName: 'Lovelace' }), 'name the user');

      const body = '{"count":7,"ratio":42.0,"big":9007199254740993,"on":true,"name":"pump","config":{"mode":"eco"}}';
      okBody(await userApi.post(`/api/plugins/telemetry/DEVICE/${device.id.id}/SHARED_SCOPE`, body), 'save attributes');
      const msg = await message('ATTRIBUTES_UPDATED', device.id.id);
      expect(msg.originator).toEqual({ entityType: 'DEVICE', id: device.id.id });
      expect(msg.metadata).toEqual({
        userId: customerUser.id.id,
        userName: customerUser.email,
        userEmail: customerUser.email,
        userFirstName: 'Ada',
        userLastName: 'Lovelace',
        customerId,
        scope: 'SHARED_SCOPE',
      });
      // Doubles stay doubles (42.0) and longs keep every digit, as ThingsBoard writes them.
      expect(msg.text).toBe('{"count":7,"ratio":42.0,"big":9007199254740993,"on":true,"name":"pump","config":{"mode":"eco"}}');
    });

    it('ATTRIBUTES_DELETED lists the keys asked for, with the scope', async () => {
      const device = await newDevice();
      okBody(await api.post(`/api/plugins/telemetry/DEVICE/${device.id.id}/SERVER_SCOPE`, { a: 1 }), 'save');
      okBody(await api.delete(`/api/plugins/telemetry/DEVICE/${device.id.id}/SERVER_SCOPE?keys=a,never-saved`), 'delete');
      const msg = await message('ATTRIBUTES_DELETED', device.id.id);
      expect(msg.metadata).toEqual({ ...byMe(), scope: 'SERVER_SCOPE' });
      expect(msg.data).toEqual({ attributes: ['a', 'never-saved'] });
    });

    it('client attributes a device posts arrive as POST_ATTRIBUTES_REQUEST only, never as ATTRIBUTES_UPDATED', async () => {
      const token = uniqueName('CLIENT-ATTRS');
      const device = okBody(await api.post(`/api/device?accessToken=${token}`, { name: token }), 'device');
      const response = await fetch(`${app.url}/api/v1/${token}/attributes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"firmware":"1.0"}',
      });
      expect(response.status).toBe(200);
      const post = await message('POST_ATTRIBUTES_REQUEST', device.id.id);
      expect(post.data).toEqual({ firmware: '1.0' });
      // Anything about the device sent after the post has been recorded; nothing said ATTRIBUTES_UPDATED.
      okBody(await api.delete(`/api/device/${device.id.id}`), 'delete');
      await message('ENTITY_DELETED', device.id.id);
      expect(await root.messages('ATTRIBUTES_UPDATED', device.id.id, 0)).toEqual([]);
    });

    it('TIMESERIES_UPDATED groups the saved points by timestamp; TIMESERIES_DELETED names the keys and the range', async () => {
      const device = await newDevice();
      // As text: 22.0 is a double, which JSON.stringify would write as 22.
      const points =
        '[{"ts":1700000000000,"values":{"temperature":21.5,"humidity":40}},{"ts":1700000001000,"values":{"temperature":22.0}}]';
      okBody(await api.post(`/api/plugins/telemetry/DEVICE/${device.id.id}/timeseries/ANY`, points), 'save timeseries');
      const saved = await message('TIMESERIES_UPDATED', device.id.id);
      expect(saved.metadata).toEqual(byMe());
      expect(saved.text).toBe(
        '{"timeseries":[{"ts":1700000000000,"values":{"temperature":21.5,"humidity":40}},{"ts":1700000001000,"values":{"temperature":22.0}}]}',
      );

      okBody(
        await api.delete(`/api/plugins/telemetry/DEVICE/${device.id.id}/timeseries/delete?keys=temperature&startTs=1&endTs=1700000001500`),
        'delete timeseries',
      );
      const deleted = await message('TIMESERIES_DELETED', device.id.id);
      expect(deleted.metadata).toEqual(byMe());
      expect(deleted.data).toEqual({ timeseries: ['temperature'], startTs: 1, endTs: 1_700_000_001_500 });
    });
  });

  describe('device connectivity (device-api.md §5)', () => {
    it('CONNECT_EVENT, one ACTIVITY_EVENT per wake-up, INACTIVITY_EVENT and DISCONNECT_EVENT carry the state and the device', async () => {
      const token = uniqueName('STATE');
      const device = okBody(await api.post(`/api/device?accessToken=${token}`, { name: token, label: 'Hall sensor' }), 'device');
      const deviceId = device.id.id;
      const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token });
      if (!auth.ok) throw new Error(auth.reason);
      const stateMetadata = { deviceName: token, deviceLabel: 'Hall sensor', deviceType: 'default', scope: 'SERVER_SCOPE' };

      const before = Date.now();
      const session = app.running.app.get(SessionRegistry).open(auth.device, silent);
      const connect = await message('CONNECT_EVENT', deviceId);
      expect(connect.originator).toEqual({ entityType: 'DEVICE', id: deviceId });
      expect(connect.metadata).toEqual(stateMetadata);
      // The connect event leaves out `active`; the field names are ThingsBoard's DeviceState.
      expect(Object.keys(connect.data)).toEqual([
        'lastConnectTime',
        'lastActivityTime',
        'lastDisconnectTime',
        'lastInactivityAlarmTime',
        'inactivityTimeout',
      ]);
      expect(connect.data).toMatchObject({ lastDisconnectTime: 0, lastInactivityAlarmTime: 0, inactivityTimeout: 600_000 });
      expect(connect.data.lastConnectTime).toBeGreaterThanOrEqual(before);

      const activity = await message('ACTIVITY_EVENT', deviceId);
      expect(activity.metadata).toEqual(stateMetadata);
      expect(activity.data).toMatchObject({ active: true, lastConnectTime: connect.data.lastConnectTime });
      expect(activity.data.lastActivityTime).toBeGreaterThanOrEqual(connect.data.lastConnectTime);

      // Uplinks of an active device are activity, not events.
      for (let i = 0; i < 3; i++) await session.postTelemetry(`{"t":${i}}`);
      await root.messages('POST_TELEMETRY_REQUEST', deviceId, 3);

      okBody(await api.post(`/api/plugins/telemetry/DEVICE/${deviceId}/SERVER_SCOPE`, { inactivityTimeout: 300 }), 'timeout');
      const inactivity = await message('INACTIVITY_EVENT', deviceId);
      expect(inactivity.metadata).toEqual(stateMetadata);
      expect(inactivity.data).toMatchObject({ active: false, inactivityTimeout: 300 });
      expect(inactivity.data.lastInactivityAlarmTime).toBeGreaterThanOrEqual(inactivity.data.lastActivityTime + 300);
      expect(await root.messages('ACTIVITY_EVENT', deviceId, 0)).toHaveLength(1);

      session.close();
      const disconnect = await message('DISCONNECT_EVENT', deviceId);
      expect(disconnect.metadata).toEqual(stateMetadata);
      expect(disconnect.data).toMatchObject({ active: false, lastInactivityAlarmTime: inactivity.data.lastInactivityAlarmTime });
      expect(disconnect.data.lastDisconnectTime).toBeGreaterThanOrEqual(connect.data.lastConnectTime);
    });

    it('names the device as it is now after a rename, and leaves out deviceLabel for a device without one', async () => {
      const token = uniqueName('RENAMED');
      const device = okBody(await api.post(`/api/device?accessToken=${token}`, { name: token }), 'device');
      const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token });
      if (!auth.ok) throw new Error(auth.reason);
      const session = app.running.app.get(SessionRegistry).open(auth.device, silent);
      expect((await message('CONNECT_EVENT', device.id.id)).metadata).toEqual({
        deviceName: token,
        deviceType: 'default',
        scope: 'SERVER_SCOPE',
      });
      const current = okBody(await api.get(`/api/device/${device.id.id}`), 'device');
      okBody(await api.post('/api/device', { ...current, name: `${token}-new` }), 'rename');
      await message('ENTITY_UPDATED', device.id.id);
      session.close();
      expect((await message('DISCONNECT_EVENT', device.id.id)).metadata.deviceName).toBe(`${token}-new`);
    });
  });

  describe('alarms changed through the REST API', () => {
    it('ENTITY_CREATED, ALARM_ACK, ALARM_CLEAR, ALARM_ASSIGNED, ALARM_UNASSIGNED and ALARM_DELETE come from the alarm’s originator', async () => {
      const device = await newDevice();
      const deviceId = device.id.id;
      const alarm = okBody(await api.post('/api/alarm', { originator: device.id, type: 'Overheating', severity: 'MAJOR' }), 'raise');
      const alarmId = alarm.id.id;
      const info = async () => okBody(await api.get(`/api/alarm/info/${alarmId}`), 'alarm info');
      const metadata = { ...byMe(), entityName: 'Overheating', entityType: 'DEVICE' };

      // Two ENTITY_CREATED from the device: its own, then its alarm's.
      const created = await root.messages('ENTITY_CREATED', deviceId, 2);
      expect(created.map((m) => m.data.id.entityType)).toEqual(['DEVICE', 'ALARM']);
      const raised = created[1];
      expect(raised.originator).toEqual({ entityType: 'DEVICE', id: deviceId });
      expect(raised.metadata).toEqual(metadata);
      expect(raised.data).toMatchObject({ id: { entityType: 'ALARM', id: alarmId }, originatorName: device.name, status: 'ACTIVE_UNACK' });

      okBody(await api.post(`/api/alarm/${alarmId}/ack`), 'ack');
      const ack = await message('ALARM_ACK', deviceId);
      expect(ack.metadata).toEqual(metadata);
      expect(ack.data).toEqual(await info());
      expect(ack.data.status).toBe('ACTIVE_ACK');

      okBody(await api.post(`/api/alarm/${alarmId}/clear`), 'clear');
      const clear = await message('ALARM_CLEAR', deviceId);
      expect(clear.data).toEqual(await info());
      expect(clear.data.status).toBe('CLEARED_ACK');

      okBody(await api.post(`/api/alarm/${alarmId}/assign/${me.id}`), 'assign');
      const assign = await message('ALARM_ASSIGNED', deviceId);
      expect(assign.metadata).toEqual(metadata);
      expect(assign.data).toEqual(await info());
      expect(assign.data.assignee.email).toBe(me.email);

      okBody(await api.delete(`/api/alarm/${alarmId}/assign`), 'unassign');
      const unassign = await message('ALARM_UNASSIGNED', deviceId);
      expect(unassign.data).toEqual(await info());
      expect(unassign.data.assignee).toBeNull();

      // The plain Alarm (no originator names), as ThingsBoard's delete sends it.
      const plain = okBody(await api.get(`/api/alarm/${alarmId}`), 'alarm');
      okBody(await api.delete(`/api/alarm/${alarmId}`), 'delete');
      const deleted = await message('ALARM_DELETE', deviceId);
      expect(deleted.metadata).toEqual(metadata);
      expect(deleted.data).toEqual(plain);

      // The audit log knows the alarm action types too.
      const audit = okBody(
        await api.get('/api/audit/logs?pageSize=50&page=0&actionTypes=ALARM_ACK,ALARM_CLEAR,ALARM_ASSIGNED,ALARM_UNASSIGNED,ALARM_DELETE'),
        'audit',
      );
      const actions = audit.data
        .filter((e: { entityId: { id: string } }) => e.entityId.id === deviceId)
        .map((e: { actionType: string }) => e.actionType);
      expect(actions.sort()).toEqual(['ALARM_ACK', 'ALARM_ASSIGNED', 'ALARM_CLEAR', 'ALARM_DELETE', 'ALARM_UNASSIGNED']);
    });
  });

  describe('device profile queues', () => {
    it('accepts any queue the rule engine runs, and refuses a name no queue has', async () => {
      const sysApi = await app.api.login(SYSADMIN);
      const queueName = `Custom${Date.now().toString(36)}`;
      okBody(
        await sysApi.post('/api/queues?serviceType=TB_RULE_ENGINE', {
          name: queueName,
          topic: `tb_rule_engine.${queueName.toLowerCase()}`,
          pollInterval: 25,
          partitions: 1,
          consumerPerPartition: false,
          packProcessingTimeout: 2000,
          submitStrategy: { type: 'BURST', batchSize: 1000 },
          processingStrategy: {
            type: 'SKIP_ALL_FAILURES',
            retries: 3,
            failurePercentage: 0,
            pauseBetweenRetries: 3,
            maxPauseBetweenRetries: 3,
          },
        }),
        'create queue',
      );
      const profile = (name: string, defaultQueueName: string) =>
        api.post('/api/deviceProfile', {
          name,
          type: 'DEFAULT',
          transportType: 'DEFAULT',
          defaultQueueName,
          profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
        });
      expect(okBody(await profile(uniqueName('On custom queue'), queueName), 'profile').defaultQueueName).toBe(queueName);
      const refused = await profile(uniqueName('On no queue'), 'NoSuchQueue');
      expect(refused.status).toBe(400);
      expect(refused.body.message).toBe('Device profile is referencing to non-existent queue!');
    });
  });
});
