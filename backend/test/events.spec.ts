import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventsService } from '../src/events/events.service';
import type { DebugMsg } from '../src/events/event-types';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createCustomerUser, createSecondTenant, okBody, uniqueName } from './tenant-fixtures';

const DEBUG_LIMIT = 10;
const MAX_PER_ENTITY = 20;
const DAY_MS = 86_400_000;

const message = (data: string, extra: Partial<DebugMsg> = {}): DebugMsg => ({
  id: randomUUID(),
  type: 'POST_TELEMETRY_REQUEST',
  originator: { entityType: 'DEVICE', id: randomUUID() },
  data,
  metadata: { deviceName: 'Thermostat-1', ts: '1700000000400' },
  dataType: 'JSON',
  ...extra,
});

describe('events', () => {
  let app: TestApp;
  let api: ApiClient;
  let events: EventsService;
  let tenantId: string;

  const eventsPath = (entityType: string, entityId: string, eventType: string, params = '') =>
    `/api/events/${entityType}/${entityId}/${eventType}?tenantId=${tenantId}&pageSize=50&page=0${params}`;
  const debugEvents = async (nodeId: string, params = '&sortProperty=createdTime&sortOrder=DESC', client = api) =>
    okBody(await client.get(eventsPath('RULE_NODE', nodeId, 'DEBUG_RULE_NODE', params)), 'debug events');
  const filtered = async (entityType: string, entityId: string, filter: unknown, params = '') =>
    okBody(await api.post(`/api/events/${entityType}/${entityId}?tenantId=${tenantId}&pageSize=50&page=0${params}`, filter), 'filter');
  const debug = (
    nodeId: string,
    direction: 'IN' | 'OUT',
    msg: DebugMsg,
    extra: { relationType?: string; error?: string; ts?: number } = {},
  ) => events.recordRuleNodeDebug({ tenantId, ruleChainId: randomUUID(), ruleNodeId: nodeId, direction, msg, ...extra });

  beforeAll(async () => {
    app = await startTestApp({
      EVENTS_DEBUG_RATE_LIMIT: String(DEBUG_LIMIT),
      EVENTS_MAX_PER_ENTITY: String(MAX_PER_ENTITY),
      EVENTS_CLEANUP_INTERVAL_MS: '3600000',
    });
    api = await app.api.login(TENANT_ADMIN);
    events = app.running.app.get(EventsService);
    tenantId = okBody(await api.post('/api/device', { name: uniqueName('probe') }), 'probe').tenantId.id;
  });
  afterAll(() => app?.close());
  // Each test's debug events count against a fresh limit (the rate limit itself is tested on its own tenant).
  beforeEach(() => events?.resetDebugRateLimit(tenantId));

  it('stores a node debug event pair and answers it in ThingsBoard shape (checklist 22)', async () => {
    const nodeId = randomUUID();
    const msg = message('{"temperature":42}');
    debug(nodeId, 'IN', msg, { ts: 1000 });
    debug(nodeId, 'OUT', msg, { relationType: 'True', ts: 2000 });
    await events.flush();

    const page = await debugEvents(nodeId);
    expect(page).toMatchObject({ totalElements: 2, totalPages: 1, hasNext: false });
    const [out, inbound] = page.data;
    expect(out).toEqual({
      id: { id: out.uid },
      createdTime: 2000,
      tenantId: { entityType: 'TENANT', id: tenantId },
      type: 'DEBUG_RULE_NODE',
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      entityId: { entityType: 'RULE_NODE', id: nodeId },
      body: {
        server: expect.any(String),
        type: 'OUT',
        entityId: msg.originator.id,
        entityType: 'DEVICE',
        msgId: msg.id,
        msgType: 'POST_TELEMETRY_REQUEST',
        dataType: 'JSON',
        relationType: 'True',
        data: '{"temperature":42}',
        metadata: '{"deviceName":"Thermostat-1","ts":"1700000000400"}',
      },
    });
    expect(inbound.body.type).toBe('IN');
    expect(inbound.body.relationType).toBeUndefined();
    expect((await api.get(eventsPath('RULE_NODE', nodeId, 'debug_rule_node'))).body.totalElements).toBe(2);

    const noTenant = await api.get(`/api/events/RULE_NODE/${nodeId}/DEBUG_RULE_NODE?pageSize=10&page=0`);
    expect(noTenant.status).toBe(400);
    const badType = await api.get(eventsPath('RULE_NODE', nodeId, 'FOO'));
    expect(badType.status).toBe(400);
    expect(badType.body.message).toBe("Event type: 'FOO' is not supported!");
    expect((await api.get(eventsPath('RULE_NODE', 'not-a-uuid', 'DEBUG_RULE_NODE'))).status).toBe(400);
    expect((await api.get(eventsPath('RULE_NODE', nodeId, 'DEBUG_RULE_NODE', '&sortProperty=body'))).status).toBe(400);
  });

  it('pages, sorts and bounds by time (inclusive)', async () => {
    const nodeId = randomUUID();
    for (let i = 1; i <= 7; i++) debug(nodeId, 'IN', message(`{"n":${i}}`), { ts: i * 1000 });
    await events.flush();
    const first = await debugEvents(nodeId, '&sortProperty=createdTime&sortOrder=ASC').then((p) => p.data.map((e: any) => e.createdTime));
    expect(first).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000]);
    const page = okBody(await api.get(`/api/events/RULE_NODE/${nodeId}/DEBUG_RULE_NODE?tenantId=${tenantId}&pageSize=3&page=1`), 'page');
    expect(page).toMatchObject({ totalElements: 7, totalPages: 3, hasNext: true });
    const bounded = await debugEvents(nodeId, '&startTime=2000&endTime=4000&sortProperty=ts&sortOrder=DESC');
    expect(bounded.data.map((e: any) => e.createdTime)).toEqual([4000, 3000, 2000]);
  });

  it('filters debug events by every field of §4.3', async () => {
    const nodeId = randomUUID();
    const hot = message('{"Temperature":99}', { type: 'CUSTOM_HOT' });
    debug(nodeId, 'IN', hot);
    debug(nodeId, 'OUT', hot, { relationType: 'Failure', error: 'Boom: sensor offline' });
    debug(nodeId, 'OUT', message('{"humidity":10}', { metadata: { room: 'Kitchen' } }), { relationType: 'Success' });
    await events.flush();
    const count = async (filter: Record<string, unknown>) =>
      (await filtered('RULE_NODE', nodeId, { eventType: 'DEBUG_RULE_NODE', ...filter })).totalElements;

    expect(await count({})).toBe(3);
    expect(await count({ msgDirectionType: 'OUT' })).toBe(2);
    expect(await count({ dataSearch: 'temperature' })).toBe(2);
    expect(await count({ metadataSearch: 'kitchen' })).toBe(1);
    expect(await count({ isError: true })).toBe(1);
    expect(await count({ errorStr: 'OFFLINE' })).toBe(1);
    expect(await count({ msgType: 'hot' })).toBe(2);
    expect(await count({ relationType: 'succ' })).toBe(1);
    expect(await count({ entityId: hot.originator.id })).toBe(2);
    expect(await count({ msgId: hot.id, msgDirectionType: 'IN' })).toBe(1);
    expect(await count({ entityType: 'DEVICE', server: '' })).toBe(3);

    const badId = await api.post(`/api/events/RULE_NODE/${nodeId}?tenantId=${tenantId}&pageSize=5&page=0`, {
      eventType: 'DEBUG_RULE_NODE',
      entityId: 'nope',
    });
    expect(badId.status).toBe(400);
    expect(badId.body.message).toBe('Failed to convert Entity Id to UUID!');
    const badType = await api.post(`/api/events/RULE_NODE/${nodeId}?tenantId=${tenantId}&pageSize=5&page=0`, { eventType: 'NOPE' });
    expect(badType.body.message).toBe("Event type: 'NOPE' is not supported!");
  });

  it('stores lifecycle, error, statistics and rule-chain events with their §4.2 bodies and filters', async () => {
    const nodeId = randomUUID();
    const node = { entityType: 'RULE_NODE' as const, id: nodeId };
    events.recordLifecycle({ tenantId, entity: node, event: 'STARTED', ts: 1000 });
    events.recordLifecycle({ tenantId, entity: node, event: 'UPDATED', error: 'Bad configuration: missing key', ts: 2000 });
    events.recordError({ tenantId, entity: node, method: 'onMsg', error: 'TypeError: x is undefined' });
    events.recordStats({ tenantId, entity: node, messagesProcessed: 120, errorsOccurred: 3, ts: 1000 });
    events.recordStats({ tenantId, entity: node, messagesProcessed: 5, errorsOccurred: 0, ts: 2000 });
    events.record({ type: 'DEBUG_RULE_CHAIN', tenantId, entity: { entityType: 'RULE_CHAIN', id: nodeId }, message: 'hello' });
    await events.flush();

    const bodies = async (entityType: string, type: string) =>
      okBody(await api.get(eventsPath(entityType, nodeId, type, '&sortProperty=createdTime&sortOrder=ASC')), type).data.map(
        (e: any) => e.body,
      );
    const server = expect.any(String);
    expect(await bodies('RULE_NODE', 'LC_EVENT')).toEqual([
      { server, event: 'STARTED', success: true },
      { server, event: 'UPDATED', success: false, error: 'Bad configuration: missing key' },
    ]);
    expect(await bodies('RULE_NODE', 'ERROR')).toEqual([{ server, method: 'onMsg', error: 'TypeError: x is undefined' }]);
    expect(await bodies('RULE_NODE', 'STATS')).toEqual([
      { server, messagesProcessed: 120, errorsOccurred: 3 },
      { server, messagesProcessed: 5, errorsOccurred: 0 },
    ]);
    expect(await bodies('RULE_CHAIN', 'DEBUG_RULE_CHAIN')).toEqual([{ server, message: 'hello' }]);
    expect((await api.get(`/api/events/RULE_NODE/${nodeId}?tenantId=${tenantId}&pageSize=10&page=0`)).body.totalElements).toBe(2);

    const total = async (filter: Record<string, unknown>) => (await filtered('RULE_NODE', nodeId, filter)).totalElements;
    expect(await total({ eventType: 'LC_EVENT', status: 'Success' })).toBe(1);
    expect(await total({ eventType: 'LC_EVENT', status: 'Failure', errorStr: 'configuration' })).toBe(1);
    expect(await total({ eventType: 'LC_EVENT', event: 'start' })).toBe(1);
    expect(await total({ eventType: 'ERROR', method: 'onmsg' })).toBe(1);
    expect(await total({ eventType: 'STATS', minMessagesProcessed: 5, maxMessagesProcessed: 120 })).toBe(1);
    expect(await total({ eventType: 'STATS', minErrorsOccurred: 1 })).toBe(1);
    expect((await filtered('RULE_CHAIN', nodeId, { eventType: 'DEBUG_RULE_CHAIN', message: 'HELL' })).totalElements).toBe(1);
  });

  it('clears the events a filter selects', async () => {
    const nodeId = randomUUID();
    debug(nodeId, 'IN', message('{"a":1}'), { ts: 1000 });
    debug(nodeId, 'OUT', message('{"a":1}'), { ts: 1000 });
    debug(nodeId, 'OUT', message('{"a":2}'), { ts: 5000 });
    await events.flush();
    const clear = (filter: unknown, params = '') => api.post(`/api/events/RULE_NODE/${nodeId}/clear${params}`, filter);
    expect((await clear({ eventType: 'DEBUG_RULE_NODE', msgDirectionType: 'OUT' }, '?endTime=2000')).status).toBe(200);
    expect((await debugEvents(nodeId)).data.map((e: any) => [e.body.type, e.createdTime])).toEqual([
      ['OUT', 5000],
      ['IN', 1000],
    ]);
    expect((await clear({ eventType: 'DEBUG_RULE_NODE' })).status).toBe(200);
    expect((await debugEvents(nodeId)).totalElements).toBe(0);
    expect((await clear({ msgDirectionType: 'OUT' })).status).toBe(400);
  });

  it("answers a node's newest IN debug body at /api/ruleNode/{id}/debugIn, or nothing", async () => {
    const nodeId = randomUUID();
    debug(nodeId, 'IN', message('{"first":true}'), { ts: 1000 });
    debug(nodeId, 'IN', message('{"second":true}'), { ts: 2000 });
    debug(nodeId, 'OUT', message('{"third":true}'), { ts: 3000, relationType: 'Success' });
    await events.flush();
    const latest = okBody(await api.get(`/api/ruleNode/${nodeId}/debugIn`), 'debugIn');
    expect(latest).toMatchObject({ type: 'IN', data: '{"second":true}', msgType: 'POST_TELEMETRY_REQUEST' });
    const none = await api.get(`/api/ruleNode/${randomUUID()}/debugIn`);
    expect(none.status).toBe(200);
    expect(none.text).toBe('');
  });

  it("refuses another tenant's id with 403 and never shows one tenant's events to another", async () => {
    const nodeId = randomUUID();
    debug(nodeId, 'IN', message('{"secret":1}'));
    await events.flush();
    const sysadmin = await app.api.login(SYSADMIN);
    const other = await createSecondTenant(sysadmin);
    const foreign = await other.adminApi.get(eventsPath('RULE_NODE', nodeId, 'DEBUG_RULE_NODE'));
    expect(foreign.status).toBe(403);
    expect(foreign.body.errorCode).toBe(20);
    const own = await other.adminApi.get(eventsPath('RULE_NODE', nodeId, 'DEBUG_RULE_NODE').replace(tenantId, other.tenantId));
    expect(own.body.totalElements).toBe(0);
    expect((await other.adminApi.get(`/api/ruleNode/${nodeId}/debugIn`)).text).toBe('');
    const clear = await other.adminApi.post(`/api/events/RULE_NODE/${nodeId}/clear`, { eventType: 'DEBUG_RULE_NODE' });
    expect(clear.status).toBe(200);
    expect((await debugEvents(nodeId)).totalElements).toBe(1);

    // Device events follow the device's access rule: a customer user sees its own devices' events only.
    const { customerId, userApi } = await createCustomerUser(api, uniqueName('Customer'));
    const mine = okBody(await api.post('/api/device', { name: uniqueName('mine') }), 'device').id.id;
    okBody(await api.post(`/api/customer/${customerId}/device/${mine}`), 'assign');
    const notMine = okBody(await api.post('/api/device', { name: uniqueName('not mine') }), 'device').id.id;
    events.recordError({ tenantId, entity: { entityType: 'DEVICE', id: mine }, method: 'snmp', error: 'timeout' });
    await events.flush();
    expect((await userApi.get(eventsPath('DEVICE', mine, 'ERROR'))).body.totalElements).toBe(1);
    expect((await userApi.get(eventsPath('DEVICE', notMine, 'ERROR'))).status).toBe(403);
    expect((await userApi.get(eventsPath('RULE_NODE', nodeId, 'DEBUG_RULE_NODE'))).status).toBe(403);
  });

  it('deletes expired events and keeps about EVENTS_MAX_PER_ENTITY per entity and type', async () => {
    const nodeId = randomUUID();
    const now = Date.now();
    debug(nodeId, 'IN', message('{"old":true}'), { ts: now - 8 * DAY_MS });
    debug(nodeId, 'IN', message('{"new":true}'), { ts: now });
    const busy = randomUUID();
    for (let i = 0; i < 30; i++)
      events.recordStats({ tenantId, entity: { entityType: 'RULE_NODE', id: busy }, messagesProcessed: i, errorsOccurred: 0, ts: now + i });
    await events.flush();

    const result = await events.runRetention(now);
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect(result.trimmed).toBe(30 - MAX_PER_ENTITY);
    expect((await debugEvents(nodeId)).data.map((e: any) => e.body.data)).toEqual(['{"new":true}']);
    const kept = okBody(await api.get(eventsPath('RULE_NODE', busy, 'STATS', '&sortProperty=ts&sortOrder=ASC')), 'stats');
    expect(kept.totalElements).toBe(MAX_PER_ENTITY);
    expect(kept.data[0].body.messagesProcessed).toBe(30 - MAX_PER_ENTITY); // the newest are kept
  });

  it('limits debug events per tenant, notes it once on the chain, and starts again after a reset', async () => {
    const sysadmin = await app.api.login(SYSADMIN);
    const other = await createSecondTenant(sysadmin);
    const [nodeId, chainId] = [randomUUID(), randomUUID()];
    const record = (n: number) => {
      for (let i = 0; i < n; i++)
        events.recordRuleNodeDebug({
          tenantId: other.tenantId,
          ruleChainId: chainId,
          ruleNodeId: nodeId,
          direction: 'IN',
          msg: message(`{"i":${i}}`),
        });
    };
    const stored = async (type: string, id: string) =>
      okBody(
        await other.adminApi.get(
          `/api/events/${type}/${id}/${type === 'RULE_NODE' ? 'DEBUG_RULE_NODE' : 'DEBUG_RULE_CHAIN'}?tenantId=${other.tenantId}&pageSize=50&page=0`,
        ),
        'stored',
      );

    record(DEBUG_LIMIT + 5);
    record(5);
    await events.flush();
    expect((await stored('RULE_NODE', nodeId)).totalElements).toBe(DEBUG_LIMIT);
    const notices = await stored('RULE_CHAIN', chainId);
    expect(notices.data.map((e: any) => e.body.message)).toEqual(['Reached debug mode rate limit!']);
    // The default tenant's debug events are not held back by the other tenant's limit.
    const ownNode = randomUUID();
    debug(ownNode, 'IN', message('{}'));
    await events.flush();
    expect((await debugEvents(ownNode)).totalElements).toBe(1);

    events.resetDebugRateLimit(other.tenantId);
    record(3);
    await events.flush();
    expect((await stored('RULE_NODE', nodeId)).totalElements).toBe(DEBUG_LIMIT + 3);
    expect(events.droppedEvents).toBe(0);
  });
});
