import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt } from './support/mqtt-client';
import { Product, RestClient, startProduct, restClient } from './support/product.mjs';
import { eventually } from './support/rest-checks';

const ALARM_TYPE = 'High Temperature';
const THRESHOLD = 30;

/** A filter on the latest `temperature` with a constant threshold (rest-api.md §1.4). */
const temperature = (operation: 'GREATER' | 'LESS_OR_EQUAL') => ({
  key: { type: 'TIME_SERIES', key: 'temperature' },
  valueType: 'NUMERIC',
  value: null,
  predicate: { type: 'NUMERIC', operation, value: { defaultValue: THRESHOLD, userValue: null, dynamicValue: null } },
});

/** "temperature > 30 for 2 messages in a row" raises a CRITICAL alarm; "temperature <= 30" clears it. */
const ALARM_RULE = {
  id: randomUUID(),
  alarmType: ALARM_TYPE,
  createRules: {
    CRITICAL: {
      condition: {
        condition: [temperature('GREATER')],
        spec: { type: 'REPEATING', predicate: { defaultValue: 2, userValue: null, dynamicValue: null } },
      },
      schedule: null,
      alarmDetails: 'Temperature is ${temperature}',
      dashboardId: null,
    },
  },
  clearRule: {
    condition: { condition: [temperature('LESS_OR_EQUAL')], spec: { type: 'SIMPLE' } },
    schedule: null,
    alarmDetails: null,
    dashboardId: null,
  },
  propagate: false,
  propagateToOwner: false,
  propagateToTenant: false,
  propagateRelationTypes: null,
};

/**
 * Device-profile alarm rules, end to end: a profile saved over REST, a device of that profile publishing
 * over MQTT, and the alarm raised and cleared by the "device profile" node of the default root chain.
 */
describe('alarm rules of a device profile', () => {
  let product: Product;
  let rest: RestClient;
  let client: MqttClient;
  let deviceId: string;

  const publishTemperature = (value: number) =>
    client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ temperature: value }), { qos: 1 });
  /** Once the reading is stored, the root chain's device profile node (which runs before the save) has evaluated it. */
  const storedTemperature = (value: number) =>
    eventually(
      async () => (await rest.request('GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?keys=temperature`)).body,
      (body) => body?.temperature?.[0]?.value === String(value),
    );
  const alarms = async () => {
    const page = await rest.request('GET', `/api/alarm/DEVICE/${deviceId}?pageSize=10&page=0`);
    expect(page.status, page.text).toBe(200);
    return page.body as { data: Record<string, any>[]; totalElements: number };
  };
  const highestSeverity = (query = '') => rest.request('GET', `/api/alarm/highestSeverity/DEVICE/${deviceId}${query}`);

  beforeAll(async () => {
    product = await startProduct();
    rest = await restClient(product.url);
    const profile = await rest.request('POST', '/api/deviceProfile', {
      name: 'Thermostat with alarm rules',
      type: 'DEFAULT',
      transportType: 'DEFAULT',
      profileData: {
        configuration: { type: 'DEFAULT' },
        transportConfiguration: { type: 'DEFAULT' },
        provisionConfiguration: { type: 'DISABLED', provisionDeviceSecret: null },
        alarms: [ALARM_RULE],
      },
    });
    expect(profile.status, profile.text).toBe(200);
    expect(profile.body.profileData.alarms).toEqual([ALARM_RULE]);
    const device = await rest.request('POST', '/api/device?accessToken=ALARM_RULES_TOKEN', {
      name: 'thermostat-1',
      deviceProfileId: profile.body.id,
    });
    expect(device.status, device.text).toBe(200);
    deviceId = device.body.id.id;
    client = await connectMqtt(product.ports.mqtt.mqtt, { username: 'ALARM_RULES_TOKEN' });
  });
  afterAll(async () => {
    client?.end(true);
    await product?.stop();
  });

  it('evaluates them with the default root chain as shipped, whose first node is the device profile node', async () => {
    const chains = await rest.request('GET', '/api/ruleChains?pageSize=10&page=0');
    const root = chains.body.data.find((c: { root: boolean }) => c.root);
    const metadata = (await rest.request('GET', `/api/ruleChain/${root.id.id}/metadata`)).body;
    expect(metadata.nodes[metadata.firstNodeIndex].type).toBe('org.thingsboard.rule.engine.profile.TbDeviceProfileNode');
  });

  it('raises no alarm after one hot reading, a CRITICAL one after the second, and clears it on a cool reading', async () => {
    await publishTemperature(35);
    await storedTemperature(35);
    expect((await alarms()).totalElements).toBe(0);
    const none = await highestSeverity();
    expect(none.status).toBe(200);
    expect(none.text).toBe('');

    await publishTemperature(36);
    const raised = await eventually(alarms, (page) => page.totalElements > 0);
    expect(raised.totalElements).toBe(1);
    expect(raised.data[0]).toMatchObject({
      type: ALARM_TYPE,
      name: ALARM_TYPE,
      severity: 'CRITICAL',
      status: 'ACTIVE_UNACK',
      acknowledged: false,
      cleared: false,
      originator: { entityType: 'DEVICE', id: deviceId },
      originatorName: 'thermostat-1',
      details: { data: 'Temperature is 36' },
    });
    const alarmId = raised.data[0].id.id;
    const severity = await highestSeverity();
    expect(severity.status).toBe(200);
    expect(severity.body).toBe('CRITICAL');

    await publishTemperature(25);
    const cleared = await eventually(alarms, (page) => page.data[0]?.cleared === true);
    expect(cleared.totalElements).toBe(1);
    expect(cleared.data[0]).toMatchObject({
      id: { id: alarmId },
      severity: 'CRITICAL',
      status: 'CLEARED_UNACK',
      cleared: true,
      acknowledged: false,
      clearTs: expect.any(Number),
    });
    expect(cleared.data[0].clearTs).toBeGreaterThan(0);
    // No active alarm is left; the cleared one still counts when every status is asked for.
    expect((await highestSeverity('?searchStatus=ACTIVE')).text).toBe('');
    expect((await highestSeverity()).body).toBe('CRITICAL');
  });
});
