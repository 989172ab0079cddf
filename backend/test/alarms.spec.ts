import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AlarmEntities } from '../src/alarms/alarm-entities';
import { AlarmEvents } from '../src/alarms/alarm-events';
import { AlarmStore } from '../src/alarms/alarm-store';
import { AlarmEntity } from '../src/alarms/alarm.entity';
import { AlarmsService } from '../src/alarms/alarms.service';
import { RelationsService } from '../src/relations/relations.service';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createCustomerUser, createSecondTenant, okBody, uniqueName } from './tenant-fixtures';

const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';
const RANDOM_UUID = '5d6c1f3e-0b7a-4c55-9a1e-2f3b4c5d6e7f';

/** The alarm ids of a page, sorted. */
const ids = (page: any): string[] => page.data.map((a: any) => a.id.id).sort();

describe('alarms', () => {
  let app: TestApp;
  let api: ApiClient;
  let tenantId: string;
  let adminUserId: string;

  const device = async (name = uniqueName('Thermostat'), label?: string) =>
    okBody(await api.post('/api/device', { name, type: 'default', ...(label ? { label } : {}) }), 'create device');
  const raise = async (deviceId: string, body: Record<string, unknown>, client = api) =>
    client.post('/api/alarm', { originator: { entityType: 'DEVICE', id: deviceId }, ...body });
  const raised = async (deviceId: string, body: Record<string, unknown>) => okBody(await raise(deviceId, body), 'raise alarm');

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
    const probe = await device();
    tenantId = probe.tenantId.id;
    adminUserId = okBody(await api.get('/api/auth/user'), 'current user').id.id;
  });
  afterAll(() => app?.close());

  describe('create or update the active alarm', () => {
    it('updates the active alarm of the same type instead of creating a second one', async () => {
      const d1 = await device('Thermostat-1', 'Room 1');
      const first = await raised(d1.id.id, { type: 'High Temperature', severity: 'MAJOR' });
      expect(first).toMatchObject({
        id: { entityType: 'ALARM' },
        tenantId: { entityType: 'TENANT', id: tenantId },
        customerId: null,
        type: 'High Temperature',
        name: 'High Temperature',
        originator: { entityType: 'DEVICE', id: d1.id.id },
        severity: 'MAJOR',
        acknowledged: false,
        cleared: false,
        status: 'ACTIVE_UNACK',
        ackTs: 0,
        clearTs: 0,
        assignTs: 0,
        assigneeId: null,
        details: null,
        propagateRelationTypes: [],
      });
      expect(first.endTs).toBe(first.startTs);
      const second = await raised(d1.id.id, { type: 'High Temperature', severity: 'CRITICAL', details: { data: 'Temperature is 52' } });
      expect(second.id.id).toBe(first.id.id);
      expect(second).toMatchObject({ severity: 'CRITICAL', status: 'ACTIVE_UNACK', details: { data: 'Temperature is 52' } });

      const info = okBody(await api.get(`/api/alarm/info/${first.id.id}`), 'alarm info');
      expect(info).toMatchObject({
        originatorName: 'Thermostat-1',
        originatorLabel: 'Room 1',
        originatorDisplayName: 'Room 1',
        assignee: null,
      });
      const list = okBody(await api.get(`/api/alarm/DEVICE/${d1.id.id}?pageSize=10&page=0`), 'device alarms');
      expect(list.totalElements).toBe(1);
    });

    it('never re-opens a cleared alarm: the next raise creates a new one', async () => {
      const d = await device();
      const first = await raised(d.id.id, { type: 'Door open', severity: 'MINOR' });
      okBody(await api.post(`/api/alarm/${first.id.id}/clear`), 'clear');
      const next = await raised(d.id.id, { type: 'Door open', severity: 'MINOR' });
      expect(next.id.id).not.toBe(first.id.id);
      expect(okBody(await api.get(`/api/alarm/${first.id.id}`), 'old alarm').status).toBe('CLEARED_UNACK');
    });

    it('updates an alarm by id, and refuses an unknown id', async () => {
      const d = await device();
      const alarm = await raised(d.id.id, { type: 'Battery', severity: 'WARNING' });
      const updated = okBody(
        await raise(d.id.id, { id: alarm.id, type: 'Battery', severity: 'MINOR', startTs: 1000, endTs: 2000 }),
        'update',
      );
      expect(updated).toMatchObject({ id: alarm.id, severity: 'MINOR', startTs: 1000, endTs: 2000 });
      const unknown = await raise(d.id.id, { id: { entityType: 'ALARM', id: RANDOM_UUID }, type: 'Battery', severity: 'MINOR' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.message).toBe(`Alarm with id [${RANDOM_UUID}] is not found`);
    });

    it('keeps one active alarm when many raises of the same type arrive at once', async () => {
      const d = await device();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => raise(d.id.id, { type: 'Flood', severity: i % 2 ? 'MAJOR' : 'CRITICAL' })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(new Set(answers.map((a) => a.body.id.id)).size).toBe(1);
      const active = okBody(await api.get(`/api/alarm/DEVICE/${d.id.id}?pageSize=50&page=0&searchStatus=ACTIVE`), 'active alarms');
      expect(active.totalElements).toBe(1);
    });

    it("answers ThingsBoard's refusals for incomplete or inconsistent bodies", async () => {
      const d = await device();
      const noOriginator = await api.post('/api/alarm', { type: 'T', severity: 'MAJOR' });
      expect(noOriginator.status).toBe(404);
      expect(noOriginator.body).toMatchObject({ message: "Requested item wasn't found!", errorCode: 32 });
      const noSeverity = await raise(d.id.id, { type: 'T' });
      expect(noSeverity.status).toBe(400);
      expect(noSeverity.body.message).toBe('Validation error: severity must not be null');
      const noType = await raise(d.id.id, { severity: 'MAJOR' });
      expect(noType.body.message).toBe('Validation error: type must not be null');
      const badSeverity = await raise(d.id.id, { type: 'T', severity: 'HUGE' });
      expect(badSeverity.status).toBe(400);
      expect(badSeverity.body.message).toContain('CRITICAL');
      const backwards = await raise(d.id.id, { type: 'T', severity: 'MAJOR', startTs: 2000, endTs: 1000 });
      expect(backwards.status).toBe(400);
      expect(backwards.body.message).toBe("Alarm start ts can't be greater then alarm end ts!");
      const ghost = await raise(RANDOM_UUID, { type: 'T', severity: 'MAJOR' });
      expect(ghost.status).toBe(404);
      expect(ghost.body.message).toBe(`Device with id [${RANDOM_UUID}] is not found`);
      expect((await api.get('/api/alarm/not-a-uuid')).status).toBe(400);
      expect((await api.get(`/api/alarm/${RANDOM_UUID}`)).status).toBe(404);
    });

    it('acknowledges, clears and assigns from the saved body', async () => {
      const d = await device();
      const alarm = okBody(
        await raise(d.id.id, {
          type: 'Imported',
          severity: 'MAJOR',
          acknowledged: true,
          cleared: true,
          ackTs: 5000,
          assigneeId: { id: adminUserId },
        }),
        'save',
      );
      expect(alarm).toMatchObject({ status: 'CLEARED_ACK', ackTs: 5000, assigneeId: { entityType: 'USER', id: adminUserId } });
    });
  });

  describe('acknowledge, clear, assign, delete', () => {
    it('acknowledges once and clears once, then refuses with a reason', async () => {
      const d = await device();
      const alarm = await raised(d.id.id, { type: 'Overheat', severity: 'MAJOR' });
      const acked = okBody(await api.post(`/api/alarm/${alarm.id.id}/ack`), 'ack');
      expect(acked).toMatchObject({ acknowledged: true, status: 'ACTIVE_ACK', originatorName: d.name });
      expect(acked.ackTs).toBeGreaterThan(0);
      const again = await api.post(`/api/alarm/${alarm.id.id}/ack`);
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ message: 'Alarm was already acknowledged!', errorCode: 31 });

      const cleared = okBody(await api.post(`/api/alarm/${alarm.id.id}/clear`), 'clear');
      expect(cleared).toMatchObject({ cleared: true, status: 'CLEARED_ACK' });
      expect(cleared.clearTs).toBeGreaterThan(0);
      const clearedAgain = await api.post(`/api/alarm/${alarm.id.id}/clear`);
      expect(clearedAgain.status).toBe(400);
      expect(clearedAgain.body.message).toBe('Alarm was already cleared!');

      const comments = okBody(await api.get(`/api/alarm/${alarm.id.id}/comment?pageSize=10&page=0`), 'comments');
      expect(comments.data.map((c: any) => [c.type, c.comment.subtype])).toEqual([
        ['SYSTEM', 'ACKED_BY_USER'],
        ['SYSTEM', 'CLEARED_BY_USER'],
      ]);
      expect(comments.data[0].comment.text).toBe('Alarm was acknowledged by user tenant@thingsboard.org');

      const audit = okBody(await api.get(`/api/audit/logs/entity/DEVICE/${d.id.id}?pageSize=20&page=0`), 'audit log');
      expect(audit.data.map((e: any) => e.actionType)).toEqual(expect.arrayContaining(['ADDED', 'ALARM_ACK', 'ALARM_CLEAR']));
    });

    it('assigns and unassigns, refusing repeats', async () => {
      const d = await device();
      const alarm = await raised(d.id.id, { type: 'Vibration', severity: 'MINOR' });
      const assigned = okBody(await api.post(`/api/alarm/${alarm.id.id}/assign/${adminUserId}`), 'assign');
      expect(assigned.assignee).toMatchObject({ id: { entityType: 'USER', id: adminUserId }, email: TENANT_ADMIN.username });
      expect(assigned.assignTs).toBeGreaterThan(0);
      const again = await api.post(`/api/alarm/${alarm.id.id}/assign/${adminUserId}`);
      expect(again.status).toBe(400);
      expect(again.body.message).toBe('Alarm was already assigned to this user!');
      expect(
        okBody(await api.get(`/api/alarms?pageSize=10&page=0&assigneeId=${adminUserId}`), 'assigned').data.map((a: any) => a.id.id),
      ).toContain(alarm.id.id);
      const unassigned = okBody(await api.delete(`/api/alarm/${alarm.id.id}/assign`), 'unassign');
      expect(unassigned.assignee).toBeNull();
      const unassignedAgain = await api.delete(`/api/alarm/${alarm.id.id}/assign`);
      expect(unassignedAgain.status).toBe(400);
      expect(unassignedAgain.body.message).toBe('Alarm was already unassigned!');
      expect((await api.post(`/api/alarm/${alarm.id.id}/assign/${RANDOM_UUID}`)).status).toBe(404);
    });

    it('deletes an alarm: body true, then it is gone', async () => {
      const d = await device();
      const alarm = await raised(d.id.id, { type: 'Temporary', severity: 'WARNING' });
      const deleted = await api.delete(`/api/alarm/${alarm.id.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.text).toBe('true');
      expect((await api.get(`/api/alarm/${alarm.id.id}`)).status).toBe(404);
      expect(okBody(await api.get(`/api/alarm/DEVICE/${d.id.id}?pageSize=10&page=0`), 'list').totalElements).toBe(0);
    });
  });

  describe('lists and highest severity', () => {
    let d: any;
    let quiet: any;
    let clearedCritical: any;
    let activeMajor: any;
    let ackedMinor: any;

    beforeAll(async () => {
      d = await device();
      quiet = await device();
      clearedCritical = await raised(d.id.id, { type: 'Pressure', severity: 'CRITICAL' });
      okBody(await api.post(`/api/alarm/${clearedCritical.id.id}/clear`), 'clear');
      activeMajor = await raised(d.id.id, { type: 'Humidity', severity: 'MAJOR' });
      ackedMinor = await raised(d.id.id, { type: 'Noise', severity: 'MINOR' });
      okBody(await api.post(`/api/alarm/${ackedMinor.id.id}/ack`), 'ack');
    });

    const list = async (query: string) => okBody(await api.get(`/api/alarm/DEVICE/${d.id.id}?pageSize=10&page=0${query}`), `list ${query}`);

    it('filters by search status or status, never both', async () => {
      expect(ids(await list('&searchStatus=CLEARED'))).toEqual([clearedCritical.id.id]);
      expect(ids(await list('&searchStatus=ACTIVE'))).toEqual([activeMajor.id.id, ackedMinor.id.id].sort());
      expect(ids(await list('&searchStatus=ACK'))).toEqual([ackedMinor.id.id]);
      expect(ids(await list('&status=ACTIVE_UNACK'))).toEqual([activeMajor.id.id]);
      expect((await list('&searchStatus=ANY')).totalElements).toBe(3);
      const both = await api.get(`/api/alarm/DEVICE/${d.id.id}?pageSize=10&page=0&searchStatus=ACTIVE&status=ACTIVE_UNACK`);
      expect(both.status).toBe(400);
      expect(both.body.message).toBe(
        "Invalid alarms search query: Both parameters 'searchStatus' and 'status' can't be specified at the same time!",
      );
      expect((await api.get(`/api/alarm/DEVICE/${d.id.id}?pageSize=10&page=0&searchStatus=OPEN`)).status).toBe(400);
    });

    it('searches text, sorts and pages', async () => {
      expect(ids(await list('&textSearch=humid'))).toEqual([activeMajor.id.id]);
      expect(ids(await list('&textSearch=cleared_unack'))).toEqual([clearedCritical.id.id]);
      const byType = await list('&sortProperty=type&sortOrder=ASC');
      expect(byType.data.map((a: any) => a.type)).toEqual(['Humidity', 'Noise', 'Pressure']);
      expect(byType.data[0]).toMatchObject({ originatorName: d.name, originatorDisplayName: d.name });
      const page = okBody(await api.get(`/api/alarm/DEVICE/${d.id.id}?pageSize=2&page=1&sortProperty=type&sortOrder=DESC`), 'page 2');
      expect(page).toMatchObject({ totalElements: 3, totalPages: 2, hasNext: false });
      expect(page.data.map((a: any) => a.type)).toEqual(['Humidity']);
      expect((await api.get(`/api/alarm/DEVICE/${d.id.id}?pageSize=10&page=0&sortProperty=originator`)).status).toBe(400);
    });

    it('bounds by creation time', async () => {
      expect((await list(`&startTime=${activeMajor.createdTime}`)).totalElements).toBe(2);
      expect((await list(`&endTime=${clearedCritical.createdTime}`)).totalElements).toBe(1);
      expect((await list(`&startTime=${Date.now() + 60_000}`)).totalElements).toBe(0);
    });

    it('filters v2 lists by status, severity and type lists', async () => {
      const v2 = async (query: string) =>
        okBody(await api.get(`/api/v2/alarm/DEVICE/${d.id.id}?pageSize=10&page=0${query}`), `v2 ${query}`);
      expect(ids(await v2('&statusList=ACTIVE,CLEARED'))).toHaveLength(3);
      expect(ids(await v2('&statusList=ACTIVE&statusList=UNACK'))).toEqual([activeMajor.id.id]);
      expect(ids(await v2('&severityList=CRITICAL,MINOR'))).toEqual([clearedCritical.id.id, ackedMinor.id.id].sort());
      expect(ids(await v2('&typeList=Noise'))).toEqual([ackedMinor.id.id]);
      expect((await api.get(`/api/v2/alarm/DEVICE/${d.id.id}?pageSize=10&page=0&severityList=LOUD`)).status).toBe(400);
      const tenantWide = okBody(await api.get('/api/v2/alarms?pageSize=100&page=0&typeList=Humidity,Noise'), 'v2 tenant list');
      expect(ids(tenantWide)).toEqual(expect.arrayContaining([activeMajor.id.id, ackedMinor.id.id]));
    });

    it('answers the highest severity, honouring the status filter, and an empty body when nothing matches', async () => {
      const highest = async (path: string) => api.get(`/api/alarm/highestSeverity/DEVICE/${path}`);
      expect((await highest(`${d.id.id}?searchStatus=ACTIVE`)).body).toBe('MAJOR');
      expect((await highest(d.id.id)).body).toBe('CRITICAL');
      expect((await highest(`${d.id.id}?status=ACTIVE_ACK`)).body).toBe('MINOR');
      const none = await highest(quiet.id.id);
      expect(none.status).toBe(200);
      expect(none.text).toBe('');
    });

    it('lists the alarm types of the tenant', async () => {
      const types = okBody(await api.get('/api/alarm/types?pageSize=100&page=0&textSearch=hum'), 'types');
      expect(types.data).toEqual([{ tenantId: { entityType: 'TENANT', id: tenantId }, entityType: 'ALARM', type: 'Humidity' }]);
    });
  });

  describe('propagation', () => {
    it('shows an alarm on the owner and the tenant when asked to', async () => {
      const { customerId } = await createCustomerUser(api, uniqueName('Owner'));
      const d = await device();
      okBody(await api.post(`/api/customer/${customerId}/device/${d.id.id}`), 'assign device');
      const alarm = await raised(d.id.id, { type: 'Propagated', severity: 'MAJOR', propagateToOwner: true, propagateToTenant: true });
      expect(alarm.customerId).toEqual({ entityType: 'CUSTOMER', id: customerId });
      const onCustomer = okBody(await api.get(`/api/alarm/CUSTOMER/${customerId}?pageSize=10&page=0`), 'customer alarms');
      expect(ids(onCustomer)).toEqual([alarm.id.id]);
      const onTenant = okBody(await api.get(`/api/alarm/TENANT/${tenantId}?pageSize=100&page=0&textSearch=Propagated`), 'tenant alarms');
      expect(ids(onTenant)).toEqual([alarm.id.id]);
      expect((await api.get(`/api/alarm/highestSeverity/CUSTOMER/${customerId}`)).body).toBe('MAJOR');
    });

    it('shows an alarm on the entities related to its originator, along the given relation types only', async () => {
      const [building, gateway, sensor] = [await device(), await device(), await device()];
      const relate = async (from: any, to: any, type: string) =>
        okBody(await api.post('/api/relation', { from: from.id, to: to.id, type, typeGroup: 'COMMON' }), `relation ${type}`);
      await relate(building, gateway, 'Contains');
      await relate(gateway, sensor, 'Manages');
      const everywhere = await raised(sensor.id.id, { type: 'Up the tree', severity: 'MINOR', propagate: true });
      const containsOnly = await raised(sensor.id.id, {
        type: 'Contains only',
        severity: 'MINOR',
        propagate: true,
        propagateRelationTypes: ['Contains'],
      });
      const manages = await raised(sensor.id.id, {
        type: 'Manages only',
        severity: 'MINOR',
        propagate: true,
        propagateRelationTypes: ['Manages'],
      });
      const on = async (entity: any) => ids(okBody(await api.get(`/api/alarm/DEVICE/${entity.id.id}?pageSize=10&page=0`), 'alarms'));
      expect(await on(gateway)).toEqual([everywhere.id.id, manages.id.id].sort());
      expect(await on(building)).toEqual([everywhere.id.id, containsOnly.id.id].sort());
      expect(await on(sensor)).toHaveLength(3);
    });

    it('links nothing beyond the originator without propagation flags', async () => {
      const d = await device();
      await raised(d.id.id, { type: 'Local only', severity: 'MAJOR' });
      const onTenant = okBody(await api.get(`/api/alarm/TENANT/${tenantId}?pageSize=100&page=0&textSearch=Local only`), 'tenant alarms');
      expect(onTenant.totalElements).toBe(0);
    });
  });

  describe('access', () => {
    let otherTenant: ApiClient;
    let customerUser: ApiClient;
    let customerId: string;
    let customerDevice: any;
    let tenantDevice: any;
    let customerAlarm: any;
    let tenantAlarm: any;

    beforeAll(async () => {
      otherTenant = (await createSecondTenant(await app.api.login(SYSADMIN))).adminApi;
      ({ customerId, userApi: customerUser } = await createCustomerUser(api, uniqueName('Company')));
      customerDevice = await device();
      okBody(await api.post(`/api/customer/${customerId}/device/${customerDevice.id.id}`), 'assign device');
      tenantDevice = await device();
      customerAlarm = await raised(customerDevice.id.id, { type: 'Customer alarm', severity: 'MAJOR' });
      tenantAlarm = await raised(tenantDevice.id.id, { type: 'Tenant alarm', severity: 'MAJOR' });
    });

    it("refuses another tenant's alarms and devices with 403, unknown ones with 404", async () => {
      expect((await otherTenant.get(`/api/alarm/${tenantAlarm.id.id}`)).status).toBe(403);
      expect((await otherTenant.get(`/api/alarm/${tenantAlarm.id.id}`)).body.errorCode).toBe(20);
      expect((await otherTenant.post(`/api/alarm/${tenantAlarm.id.id}/ack`)).status).toBe(403);
      expect((await otherTenant.delete(`/api/alarm/${tenantAlarm.id.id}`)).status).toBe(403);
      expect((await otherTenant.get(`/api/alarm/DEVICE/${tenantDevice.id.id}?pageSize=10&page=0`)).status).toBe(403);
      expect((await otherTenant.get(`/api/alarm/highestSeverity/DEVICE/${tenantDevice.id.id}`)).status).toBe(403);
      expect((await raise(tenantDevice.id.id, { type: 'Intrusion', severity: 'MAJOR' }, otherTenant)).status).toBe(403);
      expect(okBody(await otherTenant.get('/api/alarms?pageSize=100&page=0'), 'other tenant list').totalElements).toBe(0);
      expect((await otherTenant.get(`/api/alarm/${RANDOM_UUID}`)).status).toBe(404);
    });

    it("lets a customer user see and handle its customer's alarms only", async () => {
      expect(customerAlarm.customerId).toEqual({ entityType: 'CUSTOMER', id: customerId });
      const mine = okBody(await customerUser.get('/api/alarms?pageSize=100&page=0'), 'customer user list');
      expect(ids(mine)).toEqual([customerAlarm.id.id]);
      expect(okBody(await customerUser.get(`/api/alarm/${customerAlarm.id.id}`), 'read').type).toBe('Customer alarm');
      expect(okBody(await customerUser.post(`/api/alarm/${customerAlarm.id.id}/ack`), 'ack').status).toBe('ACTIVE_ACK');
      expect((await customerUser.get(`/api/alarm/${tenantAlarm.id.id}`)).status).toBe(403);
      expect((await customerUser.get(`/api/alarm/DEVICE/${tenantDevice.id.id}?pageSize=10&page=0`)).status).toBe(403);
      expect(ids(okBody(await customerUser.get(`/api/alarm/DEVICE/${customerDevice.id.id}?pageSize=10&page=0`), 'device list'))).toEqual([
        customerAlarm.id.id,
      ]);
      expect((await raise(tenantDevice.id.id, { type: 'Sneaky', severity: 'MAJOR' }, customerUser)).status).toBe(403);
      expect((await customerUser.post(`/api/alarm/${customerAlarm.id.id}/assign/${adminUserId}`)).status).toBe(403);
    });

    it("lets users comment, edit their own comments, and not others'", async () => {
      const added = okBody(
        await customerUser.post(`/api/alarm/${customerAlarm.id.id}/comment`, { comment: { text: 'checked on site' } }),
        'comment',
      );
      expect(added).toMatchObject({ id: { id: expect.any(String) }, type: 'OTHER', comment: { text: 'checked on site' } });
      expect(added.id.entityType).toBeUndefined();
      const edited = okBody(
        await customerUser.post(`/api/alarm/${customerAlarm.id.id}/comment`, { id: added.id, comment: { text: 'fixed' } }),
        'edit comment',
      );
      expect(edited.comment).toMatchObject({ text: 'fixed', edited: 'true' });
      const foreignEdit = await api.post(`/api/alarm/${customerAlarm.id.id}/comment`, { id: added.id, comment: { text: 'mine now' } });
      expect(foreignEdit.status).toBe(403);
      expect(foreignEdit.body.message).toBe("User is not allowed to edit other user's comment");
      expect((await api.delete(`/api/alarm/${customerAlarm.id.id}/comment/${added.id.id}`)).status).toBe(200);
      const comments = okBody(await customerUser.get(`/api/alarm/${customerAlarm.id.id}/comment?pageSize=10&page=0`), 'comments');
      const deleted = comments.data.find((c: any) => c.id.id === added.id.id);
      expect(deleted).toMatchObject({
        type: 'SYSTEM',
        comment: { subtype: 'COMMENT_DELETED', text: 'Comment was deleted by user tenant@thingsboard.org' },
      });
    });
  });

  describe('rule-engine view (AlarmsApi)', () => {
    it('raises, updates with the previous severity, and clears within one tenant', async () => {
      const alarms = app.running.app.get(AlarmsService).forTenant(tenantId);
      const d = await device();
      const originator = { entityType: 'DEVICE' as const, id: d.id.id };
      const created = await alarms.raise({ originator, type: 'Engine', severity: 'MINOR', details: { data: 'first' } });
      expect(created).toMatchObject({
        outcome: 'CREATED',
        alarm: { severity: 'MINOR', status: 'ACTIVE_UNACK', details: { data: 'first' } },
      });
      const updated = await alarms.raise({ originator, type: 'Engine', severity: 'CRITICAL' });
      expect(updated).toMatchObject({
        outcome: 'UPDATED',
        previousSeverity: 'MINOR',
        alarm: { id: created.alarm.id, details: { data: 'first' } },
      });
      expect(updated.alarm.startTs).toBe(created.alarm.startTs);
      expect((await alarms.findActive(originator, 'Engine'))?.id).toBe(created.alarm.id);

      const cleared = await alarms.clear(originator, 'Engine', { details: { data: 'back to normal' } });
      expect(cleared).toMatchObject({
        outcome: 'CLEARED',
        alarm: { cleared: true, status: 'CLEARED_UNACK', details: { data: 'back to normal' } },
      });
      expect(await alarms.clear(originator, 'Engine')).toBeNull();
      expect(await alarms.findActive(originator, 'Engine')).toBeNull();
      expect(okBody(await api.get(`/api/alarm/${created.alarm.id}`), 'REST view').status).toBe('CLEARED_UNACK');

      const racing = await Promise.all(Array.from({ length: 10 }, () => alarms.raise({ originator, type: 'Engine', severity: 'MAJOR' })));
      expect(new Set(racing.map((r) => r.alarm.id)).size).toBe(1);
      expect(racing.filter((r) => r.outcome === 'CREATED')).toHaveLength(1);

      // Two stores stand for two Edgewise processes on one database: only the database can keep them apart.
      const nest = app.running.app;
      const nodes = [0, 1].map(
        () =>
          new AlarmStore(
            nest.get(DataSource),
            nest.get(DataSource).getRepository(AlarmEntity),
            nest.get(AlarmEntities),
            nest.get(RelationsService),
            nest.get(AlarmEvents),
          ),
      );
      const crossProcess = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          nodes[i % 2].createOrUpdateActive(tenantId, { originator, type: 'Cluster', severity: 'MAJOR' }),
        ),
      );
      expect(new Set(crossProcess.map((r) => r.alarm.id)).size).toBe(1);
      expect(crossProcess.filter((r) => r.created)).toHaveLength(1);

      const otherTenantsView = app.running.app.get(AlarmsService).forTenant(NULL_UUID);
      expect(await otherTenantsView.findActive(originator, 'Engine')).toBeNull();
      await expect(otherTenantsView.raise({ originator, type: 'Engine', severity: 'MAJOR' })).rejects.toThrow(
        /does not belong to this tenant/,
      );
    });
  });
});
