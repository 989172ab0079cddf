import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, TEST_TENANT_ID, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { clearAlarmNode } from './clear-alarm';
import { createAlarmNode } from './create-alarm';

const COUNTING_DETAILS =
  'var details = metadata.prevAlarmDetails ? JSON.parse(metadata.prevAlarmDetails) : { count: 0 };\n' +
  'details.count = details.count + 1;\ndetails.temperature = msg.temperature;\nreturn details;';

describe('create alarm', () => {
  it('creates an alarm, then updates it; each time an action message is queued and the message goes on as ALARM', async () => {
    const node = await createTestNode(createAlarmNode, {}, { nodeId: 'c0ffee00-0000-4000-8000-00000000000a' });
    const created = await node.send(testMsg({ data: { temperature: 42 } }));
    expect(created.map((e) => e.kind)).toEqual(['enqueued', 'next']);
    const [action, next] = created;
    expect(action.msg).toMatchObject({
      type: 'ENTITY_CREATED',
      originator: TEST_DEVICE,
      metadata: { ruleNodeId: 'c0ffee00-0000-4000-8000-00000000000a' },
    });
    expect(next).toMatchObject({
      kind: 'next',
      relation: 'Created',
      msg: { type: 'ALARM', metadata: { deviceName: 'Test Device', isNewAlarm: 'true' } },
    });
    const alarm = JSON.parse(next.msg.data);
    expect(alarm).toMatchObject({
      id: { entityType: 'ALARM' },
      tenantId: { entityType: 'TENANT', id: TEST_TENANT_ID },
      type: 'General Alarm',
      originator: TEST_DEVICE,
      severity: 'CRITICAL',
      status: 'ACTIVE_UNACK',
      details: {},
      startTs: 1_700_000_000_000,
    });
    expect(JSON.parse(action.msg.data).id).toEqual(alarm.id);

    const updated = await node.send(testMsg({ data: { temperature: 43 } }));
    expect(relationsOf(updated)).toEqual(['enqueued', 'Updated']);
    expect(updated[0].msg.type).toBe('ENTITY_UPDATED');
    expect(updated[1].msg.metadata.isExistingAlarm).toBe('true');
    expect(JSON.parse(updated[1].msg.data).id).toEqual(alarm.id);
    expect(node.services.alarmStore).toHaveLength(1);
  });

  it('builds details with the script, which sees the previous details', async () => {
    const node = await createTestNode(createAlarmNode, { scriptLang: 'JS', alarmDetailsBuildJs: COUNTING_DETAILS });
    await node.send(testMsg({ data: { temperature: 42 } }));
    await node.send(testMsg({ data: { temperature: 45 } }));
    expect(node.services.alarmStore[0].details).toEqual({ count: 2, temperature: 45 });
  });

  it('fills the alarm type and, with dynamicSeverity, the severity from the message', async () => {
    const node = await createTestNode(createAlarmNode, {
      alarmType: '${deviceType} overheated',
      severity: '$[level]',
      dynamicSeverity: true,
    });
    await node.send(testMsg({ data: { level: 'MINOR' } }));
    expect(node.services.alarmStore[0]).toMatchObject({ type: 'default overheated', severity: 'MINOR' });
    const wrong = await node.send(testMsg({ data: { level: 'LOUD' } }));
    expect(wrong).toMatchObject([
      { kind: 'failure', error: expect.stringMatching(/^Used incorrect pattern or Alarm Severity not included in message/) },
    ]);
  });

  it('takes the alarm from the message data, with its own details unless told to overwrite them', async () => {
    const node = await createTestNode(createAlarmNode, { useMessageAlarmData: true });
    const data = { type: 'Intrusion', severity: 'MAJOR', details: { zone: 3 }, propagateToTenant: true };
    expect(relationsOf(await node.send(testMsg({ data })))).toEqual(['enqueued', 'Created']);
    expect(node.services.alarmStore[0]).toMatchObject({
      type: 'Intrusion',
      severity: 'MAJOR',
      details: { zone: 3 },
      propagateToTenant: true,
    });
    const overwriting = await createTestNode(
      createAlarmNode,
      { useMessageAlarmData: true, overwriteAlarmDetails: true, scriptLang: 'JS', alarmDetailsBuildJs: 'return { from: "script" };' },
      { services: new InMemoryServices() },
    );
    await overwriting.send(testMsg({ data }));
    expect(overwriting.services.alarmStore[0].details).toEqual({ from: 'script' });
    const incomplete = await node.send(testMsg({ data: { severity: 'MAJOR' } }));
    expect(incomplete).toMatchObject([{ kind: 'failure', error: expect.stringContaining('has no "type"') }]);
  });

  it("keeps the alarm's details with ThingsBoard's default (TBEL) details script, and reads old configurations as JavaScript", async () => {
    const services = new InMemoryServices();
    await services.alarms.raise({ originator: TEST_DEVICE, type: 'General Alarm', severity: 'MAJOR', details: { note: 'checked' } });
    const node = await createTestNode(createAlarmNode, {}, { services });
    expect(relationsOf(await node.send(testMsg()))).toEqual(['enqueued', 'Updated']);
    expect(services.alarmStore[0]).toMatchObject({ severity: 'CRITICAL', details: { note: 'checked' } });
    expect(createAlarmNode.upgrade!(0, { alarmDetailsBuildJs: 'return {};' })).toEqual({
      alarmDetailsBuildJs: 'return {};',
      scriptLang: 'JS',
    });
    expect(clearAlarmNode.upgrade!(0, { scriptLang: 'TBEL' })).toEqual({ scriptLang: 'TBEL' });
  });

  it('refuses a configuration it cannot run, naming the setting', async () => {
    await expect(createTestNode(createAlarmNode, { severity: 'HUGE' })).rejects.toThrow(/^Incorrect Alarm Severity value: HUGE/);
    await expect(createTestNode(createAlarmNode, { scriptLang: 'JS', alarmDetailsBuildJs: 'return {' })).rejects.toThrow(
      /^alarmDetailsBuildJs/,
    );
  });
});

describe('clear alarm', () => {
  it('clears the active alarm of the type, or lets the message go by False when there is none', async () => {
    const services = new InMemoryServices();
    const node = await createTestNode(
      clearAlarmNode,
      { alarmType: 'High Temperature', scriptLang: 'JS', alarmDetailsBuildJs: COUNTING_DETAILS },
      { services },
    );
    expect(relationsOf(await node.send(testMsg()))).toEqual(['False']);

    await services.alarms.raise({ originator: TEST_DEVICE, type: 'High Temperature', severity: 'MAJOR', details: { count: 4 } });
    const cleared = await node.send(testMsg({ data: { temperature: 20 } }));
    expect(relationsOf(cleared)).toEqual(['enqueued', 'Cleared']);
    expect(cleared[0].msg.type).toBe('ALARM_CLEAR');
    expect(cleared[1].msg).toMatchObject({ type: 'ALARM', metadata: { isClearedAlarm: 'true' } });
    expect(JSON.parse(cleared[1].msg.data)).toMatchObject({
      cleared: true,
      status: 'CLEARED_UNACK',
      details: { count: 5, temperature: 20 },
    });
    expect(relationsOf(await node.send(testMsg()))).toEqual(['False']);
  });

  it('clears the alarm an ALARM message is about', async () => {
    const services = new InMemoryServices();
    const node = await createTestNode(clearAlarmNode, {}, { services });
    const { alarm } = await services.alarms.raise({ originator: TEST_DEVICE, type: 'Door open', severity: 'MINOR' });
    const alarmMsg = testMsg({
      type: 'ALARM',
      originator: { entityType: 'ALARM', id: alarm.id },
      data: { id: { id: alarm.id }, type: 'Door open', originator: TEST_DEVICE },
    });
    expect(relationsOf(await node.send(alarmMsg))).toEqual(['enqueued', 'Cleared']);
    expect(services.alarmStore[0].cleared).toBe(true);
  });
});
