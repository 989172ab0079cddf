import type { RuleMsg } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, TEST_TENANT_ID, testMsg } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deviceProfileNode } from './device-profile';

const CUSTOMER = { entityType: 'CUSTOMER' as const, id: '33333333-3333-4333-8333-333333333333' };
const T0 = Date.UTC(2025, 5, 2, 12, 0, 0);

const value = (defaultValue: unknown, dynamicValue: unknown = null) => ({ defaultValue, userValue: null, dynamicValue });
const temperature = (operation: string, operand: unknown) => ({
  key: { type: 'TIME_SERIES', key: 'temperature' },
  valueType: 'NUMERIC',
  value: null,
  predicate: { type: 'NUMERIC', operation, value: operand },
});
const rule = (filters: unknown[], spec: unknown = { type: 'SIMPLE' }) => ({
  condition: { condition: filters, spec },
  schedule: null,
  alarmDetails: null,
  dashboardId: null,
});
const alarms = (createRules: Record<string, unknown>, clearRule: unknown = null) => [
  {
    id: 'a1',
    alarmType: 'High Temperature',
    createRules,
    clearRule,
    propagate: false,
    propagateToOwner: false,
    propagateToTenant: false,
    propagateRelationTypes: null,
  },
];

/** A device of a profile with these alarm rules, and the node evaluating them. */
async function setup(profileAlarms: unknown[] | null, arrange: (services: InMemoryServices) => Promise<void> | void = () => {}) {
  const services = new InMemoryServices();
  services.addEntity({ id: TEST_DEVICE, name: 'Test Device', type: 'default', createdTime: 1 });
  services.profileStore.set(TEST_DEVICE.id, {
    id: 'profile-1',
    name: 'default',
    profileData: { alarms: profileAlarms },
    defaultRuleChainId: null,
    defaultQueueName: null,
  });
  await arrange(services);
  const node = await createTestNode(deviceProfileNode, {}, { services });
  const telemetry = (ts: number, data: object) =>
    node.send(testMsg({ data, metadata: { deviceName: 'Test Device', deviceType: 'default', ts: String(ts) } }));
  return { services, node, telemetry };
}

const alarmOf = (msg: RuleMsg) => JSON.parse(msg.data);

describe('device profile node', () => {
  afterEach(() => vi.useRealTimers());

  it('raises CRITICAL when temperature > 30 for 2 messages (REPEATING 2), and clears it when the value drops below the clear threshold', async () => {
    const { node, telemetry } = await setup(
      alarms(
        { CRITICAL: rule([temperature('GREATER', value(30))], { type: 'REPEATING', predicate: value(2) }) },
        rule([temperature('LESS', value(25))]),
      ),
    );
    expect(relationsOf(await telemetry(T0, { temperature: 31 }))).toEqual(['Success']);

    const raised = await telemetry(T0 + 1000, { temperature: 33 });
    expect(relationsOf(raised)).toEqual(['enqueuedForTellNext', 'Success']);
    const [alarmMsg, original] = raised;
    expect(alarmMsg).toMatchObject({ kind: 'enqueuedForTellNext', relation: 'Alarm Created' });
    expect(alarmMsg.msg).toMatchObject({
      type: 'ALARM',
      originator: TEST_DEVICE,
      metadata: { deviceName: 'Test Device', isNewAlarm: 'true', alarmConditionRepeats: '2' },
    });
    expect(alarmOf(alarmMsg.msg)).toMatchObject({
      type: 'High Temperature',
      severity: 'CRITICAL',
      status: 'ACTIVE_UNACK',
      tenantId: { entityType: 'TENANT', id: TEST_TENANT_ID },
      startTs: T0 + 1000,
    });
    expect(original.msg.data).toBe('{"temperature":33}');

    const cleared = await telemetry(T0 + 2000, { temperature: 20 });
    expect(cleared[0]).toMatchObject({
      kind: 'enqueuedForTellNext',
      relation: 'Alarm Cleared',
      msg: { metadata: { isClearedAlarm: 'true' } },
    });
    expect(alarmOf(cleared[0].msg)).toMatchObject({ cleared: true, status: 'CLEARED_UNACK' });
    expect(node.emissions.filter((e) => e.kind === 'enqueuedForTellNext')).toHaveLength(2);
  });

  it('raises a DURATION alarm from the periodic check once the condition has held long enough', async () => {
    vi.useFakeTimers({ now: T0 });
    const { telemetry, node } = await setup(
      alarms({ MAJOR: rule([temperature('GREATER', value(30))], { type: 'DURATION', unit: 'SECONDS', predicate: value(90) }) }),
    );
    expect(relationsOf(await telemetry(T0, { temperature: 40 }))).toEqual(['Success']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(node.emissions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(() => expect(node.emissions).toHaveLength(2));
    expect(node.emissions[1]).toMatchObject({
      kind: 'enqueuedForTellNext',
      relation: 'Alarm Created',
      msg: { type: 'ALARM', metadata: { isNewAlarm: 'true' } },
    });
    expect(alarmOf(node.emissions[1].msg)).toMatchObject({ severity: 'MAJOR', startTs: T0 });
    await node.destroy();
  });

  it('reads a threshold from a device attribute it fetches on first sight, and from the customer when the device has none', async () => {
    const fromDevice = value(30, { sourceType: 'CURRENT_DEVICE', sourceAttribute: 'maxTemperature', inherit: true });
    const withOwnLimit = await setup(alarms({ MAJOR: rule([temperature('GREATER', fromDevice)]) }), (services) =>
      services.attributes.save(TEST_DEVICE, 'SERVER_SCOPE', { maxTemperature: 40 }),
    );
    expect(relationsOf(await withOwnLimit.telemetry(T0, { temperature: 35 }))).toEqual(['Success']);
    expect(relationsOf(await withOwnLimit.telemetry(T0 + 1, { temperature: 41 }))).toEqual(['enqueuedForTellNext', 'Success']);

    const withCustomerLimit = await setup(alarms({ MAJOR: rule([temperature('GREATER', fromDevice)]) }), async (services) => {
      services.entityStore.get(`DEVICE:${TEST_DEVICE.id}`)!.customerId = CUSTOMER.id;
      await services.attributes.save(CUSTOMER, 'SERVER_SCOPE', { maxTemperature: 20 });
    });
    expect(relationsOf(await withCustomerLimit.telemetry(T0, { temperature: 25 }))).toEqual(['enqueuedForTellNext', 'Success']);
  });

  it('evaluates entity fields and attributes sent by the device', async () => {
    const typeIs = (type: string) => ({
      key: { type: 'ENTITY_FIELD', key: 'type' },
      valueType: 'STRING',
      predicate: { type: 'STRING', operation: 'EQUAL', ignoreCase: false, value: value(type) },
    });
    const doorOpen = {
      key: { type: 'ATTRIBUTE', key: 'door' },
      valueType: 'STRING',
      predicate: { type: 'STRING', operation: 'EQUAL', ignoreCase: false, value: value('open') },
    };
    const { node } = await setup(
      alarms(
        { WARNING: rule([typeIs('default'), doorOpen]) },
        rule([{ ...doorOpen, predicate: { ...doorOpen.predicate, operation: 'NOT_EQUAL' } }]),
      ),
    );
    const attributes = (door: string) => node.send(testMsg({ type: 'POST_ATTRIBUTES_REQUEST', data: { door } }));
    expect(relationsOf(await attributes('open'))).toEqual(['enqueuedForTellNext', 'Success']);
    const deleted = await node.send(testMsg({ type: 'ATTRIBUTES_DELETED', data: { attributes: ['door'] } }));
    expect(relationsOf(deleted)).toEqual(['Success']);
    const closed = await attributes('closed');
    expect(closed[0]).toMatchObject({ relation: 'Alarm Cleared' });
  });

  it('forgets an alarm cleared elsewhere when told by an ALARM_CLEAR message, and raises a new one next time', async () => {
    const { node, services, telemetry } = await setup(alarms({ MAJOR: rule([temperature('GREATER', value(30))]) }));
    const [first] = await telemetry(T0, { temperature: 35 });
    const clearedByUser = await services.alarms.clear(TEST_DEVICE, 'High Temperature');
    expect(
      relationsOf(await node.send(testMsg({ type: 'ALARM_CLEAR', data: { id: { entityType: 'ALARM', id: clearedByUser!.alarm.id } } }))),
    ).toEqual(['Success']);
    const [again] = await telemetry(T0 + 1000, { temperature: 36 });
    expect(again).toMatchObject({ relation: 'Alarm Created' });
    expect(alarmOf(again.msg).id).not.toEqual(alarmOf(first.msg).id);
  });

  it('passes other originators on, acknowledges messages of devices that are gone, and fails on broken rules', async () => {
    const { node } = await setup(alarms({ MAJOR: rule([temperature('GREATER', value(30))]) }));
    expect(relationsOf(await node.send(testMsg({ originator: { entityType: 'ASSET', id: TEST_DEVICE.id } })))).toEqual(['Success']);
    expect(
      relationsOf(await node.send(testMsg({ originator: { entityType: 'DEVICE', id: '44444444-4444-4444-8444-444444444444' } }))),
    ).toEqual(['ack']);

    const broken = await setup(alarms({ MAJOR: rule([temperature('HOTTER', value(30))]) }));
    const [failure] = await broken.telemetry(T0, { temperature: 35 });
    expect(failure).toMatchObject({
      kind: 'failure',
      error: expect.stringContaining('alarm rule "High Temperature" (MAJOR), filter #1: NUMERIC operation is "HOTTER"'),
    });
  });

  it('starts over when the device moves to another profile', async () => {
    const { node, services, telemetry } = await setup(alarms({ MAJOR: rule([temperature('GREATER', value(30))]) }));
    services.profileStore.set(TEST_DEVICE.id, {
      id: 'profile-2',
      name: 'quiet',
      profileData: { alarms: null },
      defaultRuleChainId: null,
      defaultQueueName: null,
    });
    await node.send(
      testMsg({ type: 'ENTITY_UPDATED', data: { id: TEST_DEVICE, deviceProfileId: { entityType: 'DEVICE_PROFILE', id: 'profile-2' } } }),
    );
    expect(relationsOf(await telemetry(T0, { temperature: 35 }))).toEqual(['Success']);
  });

  it('upgrades version 0 configurations as ThingsBoard does', () => {
    expect(deviceProfileNode.upgrade!(0, { persistAlarmRulesState: false, fetchAlarmRulesStateOnStart: true })).toEqual({
      persistAlarmRulesState: false,
      fetchAlarmRulesStateOnStart: false,
    });
    expect(deviceProfileNode.upgrade!(0, { persistAlarmRulesState: true, fetchAlarmRulesStateOnStart: true })).toMatchObject({
      fetchAlarmRulesStateOnStart: true,
    });
  });
});
