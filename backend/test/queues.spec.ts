import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from '../src/queues/queue-events';
import { QueuesService } from '../src/queues/queues.service';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { okBody, uniqueName } from './tenant-fixtures';

const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';
const RULE_ENGINE_PAGE = '/api/queues?serviceType=TB_RULE_ENGINE&pageSize=10&page=0';

/** rest-api.md §6.2: what ThingsBoard's installer creates. */
const DEFAULTS = {
  Main: {
    topic: 'tb_rule_engine.main',
    submitStrategy: { type: 'BURST', batchSize: 1000 },
    processingStrategy: { type: 'SKIP_ALL_FAILURES', retries: 3, failurePercentage: 0, pauseBetweenRetries: 3, maxPauseBetweenRetries: 3 },
  },
  HighPriority: {
    topic: 'tb_rule_engine.hp',
    submitStrategy: { type: 'BURST', batchSize: 100 },
    processingStrategy: {
      type: 'RETRY_FAILED_AND_TIMED_OUT',
      retries: 0,
      failurePercentage: 0,
      pauseBetweenRetries: 5,
      maxPauseBetweenRetries: 5,
    },
  },
  SequentialByOriginator: {
    topic: 'tb_rule_engine.sq',
    submitStrategy: { type: 'SEQUENTIAL_BY_ORIGINATOR', batchSize: 100 },
    processingStrategy: {
      type: 'RETRY_FAILED_AND_TIMED_OUT',
      retries: 3,
      failurePercentage: 0,
      pauseBetweenRetries: 5,
      maxPauseBetweenRetries: 5,
    },
  },
};

const validQueue = (name = uniqueName('q').replace(/[^a-zA-Z0-9_.-]/g, '_')) => ({
  name,
  topic: `tb_rule_engine.${name.toLowerCase()}`,
  pollInterval: 25,
  partitions: 2,
  consumerPerPartition: false,
  packProcessingTimeout: 2000,
  submitStrategy: { type: 'BATCH', batchSize: 50 },
  processingStrategy: { type: 'RETRY_ALL', retries: 2, failurePercentage: 10, pauseBetweenRetries: 1, maxPauseBetweenRetries: 4 },
  additionalInfo: { description: 'test queue' },
});

describe('queues', () => {
  let app: TestApp;
  let tenant: ApiClient;
  let sysadmin: ApiClient;
  const save = (body: unknown, client = () => sysadmin) => client().post('/api/queues?serviceType=TB_RULE_ENGINE', body);

  beforeAll(async () => {
    app = await startTestApp();
    tenant = await app.api.login(TENANT_ADMIN);
    sysadmin = await app.api.login(SYSADMIN);
  });
  afterAll(() => app?.close());

  it('shows tenant administrators the three system queues with the §6.2 defaults (checklist 27)', async () => {
    const page = okBody(await tenant.get(`${RULE_ENGINE_PAGE}&sortProperty=name&sortOrder=ASC`), 'queues');
    expect(page).toMatchObject({ totalElements: 3, totalPages: 1, hasNext: false });
    expect(page.data.map((q: any) => q.name)).toEqual(['HighPriority', 'Main', 'SequentialByOriginator']);
    for (const queue of page.data) {
      expect(queue).toEqual({
        id: { entityType: 'QUEUE', id: expect.any(String) },
        createdTime: expect.any(Number),
        additionalInfo: { description: '', customProperties: '', duplicateMsgToAllPartitions: false },
        tenantId: { entityType: 'TENANT', id: NULL_UUID },
        name: queue.name,
        pollInterval: 25,
        partitions: 10,
        consumerPerPartition: true,
        packProcessingTimeout: 2000,
        ...DEFAULTS[queue.name as keyof typeof DEFAULTS],
      });
    }
    expect(okBody(await tenant.get('/api/queues?serviceType=TB_CORE&pageSize=10&page=0'), 'core')).toEqual({
      data: [],
      totalPages: 0,
      totalElements: 0,
      hasNext: false,
    });
    expect(okBody(await tenant.get('/api/queues?serviceType=tb-rule-engine&pageSize=10&page=0'), 'dashes').totalElements).toBe(3);
    expect((await tenant.get('/api/queues?serviceType=TB_NOTHING&pageSize=10&page=0')).status).toBe(400);
    expect((await tenant.get('/api/queues?pageSize=10&page=0')).status).toBe(400);
    expect((await tenant.get('/api/queues?serviceType=TB_RULE_ENGINE&pageSize=0&page=0')).status).toBe(400);

    const denied = await save(validQueue(), () => tenant);
    expect(denied.status).toBe(403);
    expect(denied.body.errorCode).toBe(20);
    const main = page.data.find((q: any) => q.name === 'Main');
    expect((await tenant.delete(`/api/queues/${main.id.id}`)).status).toBe(403);
  });

  it('reads one queue by id and by name', async () => {
    const main = okBody(await tenant.get('/api/queues/name/Main'), 'by name');
    expect(main.topic).toBe('tb_rule_engine.main');
    expect(okBody(await tenant.get(`/api/queues/${main.id.id}`), 'by id')).toEqual(main);
    expect((await tenant.get('/api/queues/name/Nope')).status).toBe(404);
    const unknown = await tenant.get('/api/queues/5f0e0c3a-7b1a-11ee-9a3c-6bd8c5a6a999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('Queue with id [5f0e0c3a-7b1a-11ee-9a3c-6bd8c5a6a999] is not found');
    expect((await tenant.get('/api/queues/abc')).body.message).toBe('Invalid UUID string: abc');
  });

  it('creates and updates queues, tells the rule engine, and keeps name and topic fixed', async () => {
    const changes: string[] = [];
    app.running.app.get(QueueEvents).on('changed', (name) => changes.push(name));
    const body = validQueue('Custom_1');
    const created = okBody(await save(body), 'create');
    expect(created).toMatchObject({ ...body, id: { entityType: 'QUEUE' }, tenantId: { id: NULL_UUID } });
    expect(changes).toEqual(['Custom_1']);
    expect((await app.running.app.get(QueuesService).findAll()).find((q) => q.name === 'Custom_1')).toEqual({
      name: 'Custom_1',
      topic: body.topic,
      pollInterval: 25,
      partitions: 2,
      consumerPerPartition: false,
      packProcessingTimeout: 2000,
      submitStrategy: body.submitStrategy,
      processingStrategy: body.processingStrategy,
    });

    const updated = okBody(await save({ ...created, partitions: 4 }), 'update');
    expect(updated).toMatchObject({ id: created.id, partitions: 4, createdTime: created.createdTime });
    expect(changes).toEqual(['Custom_1', 'Custom_1']);
    const rename = await save({ ...created, name: 'Other' });
    expect(rename.body.message).toBe("Queue name can't be changed!");
    expect((await save({ ...created, topic: 'other.topic' })).body.message).toBe("Queue topic can't be changed!");
    expect((await save(validQueue('Custom_1'))).body.message).toBe('Queue with name: Custom_1 already exists!');
    expect((await save({ ...validQueue('Custom_2'), topic: body.topic })).body.message).toBe(
      `Queue with topic: ${body.topic} already exists!`,
    );
    const ghost = await save({ ...body, id: { entityType: 'QUEUE', id: '5f0e0c3a-7b1a-11ee-9a3c-6bd8c5a6a999' } });
    expect(ghost.status).toBe(404);

    const other = await sysadmin.post('/api/queues?serviceType=TB_CORE', validQueue('Ignored'));
    expect(other.status).toBe(200);
    expect(other.text).toBe('');
    expect((await tenant.get('/api/queues/name/Ignored')).status).toBe(404);
    const found = okBody(await tenant.get(`${RULE_ENGINE_PAGE}&textSearch=custom`), 'search');
    expect(found.data.map((q: any) => q.name)).toEqual(['Custom_1']);
  });

  it('refuses invalid queues with ThingsBoard messages', async () => {
    const base = validQueue('Valid');
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '' }, 'Queue name should be specified!'],
      [{ name: 'bad name' }, "Queue name contains a character other than ASCII alphanumerics, '.', '_' and '-'!"],
      [
        { name: 'CalculatedFields' },
        "The queue name 'CalculatedFields' is not allowed. This name is reserved for internal use. Please choose a different name.",
      ],
      [{ topic: undefined }, 'Queue topic should be specified!'],
      [{ topic: 'a/b' }, "Queue topic contains a character other than ASCII alphanumerics, '.', '_' and '-'!"],
      [{ pollInterval: 0 }, 'Queue poll interval should be more then 0!'],
      [{ partitions: 0 }, 'Queue partitions should be more then 0!'],
      [{ packProcessingTimeout: undefined }, 'Queue pack processing timeout should be more then 0!'],
      [{ submitStrategy: null }, "Queue submit strategy can't be null!"],
      [{ submitStrategy: { batchSize: 5 } }, "Queue submit strategy type can't be null!"],
      [{ submitStrategy: { type: 'BATCH', batchSize: 0 } }, 'Queue submit strategy batch size should be more then 0!'],
      [{ processingStrategy: undefined }, "Queue processing strategy can't be null!"],
      [{ processingStrategy: { ...base.processingStrategy, type: undefined } }, "Queue processing strategy type can't be null!"],
      [{ processingStrategy: { ...base.processingStrategy, retries: -1 } }, "Queue processing strategy retries can't be less then 0!"],
      [
        { processingStrategy: { ...base.processingStrategy, failurePercentage: 101 } },
        'Queue processing strategy failure percentage should be in a range from 0 to 100!',
      ],
      [
        { processingStrategy: { ...base.processingStrategy, pauseBetweenRetries: -1 } },
        "Queue processing strategy pause between retries can't be less then 0!",
      ],
      [
        { processingStrategy: { ...base.processingStrategy, maxPauseBetweenRetries: 0 } },
        "Queue processing strategy MAX pause between retries can't be less then pause between retries!",
      ],
    ];
    for (const [change, message] of cases) {
      const res = await save({ ...base, ...change });
      expect({ change, status: res.status, message: res.body.message }).toEqual({ change, status: 400, message });
    }
    const badType = await save({ ...base, submitStrategy: { type: 'ALL_AT_ONCE', batchSize: 1 } });
    expect(badType.status).toBe(400);
    expect(badType.body.message).toMatch(/submit strategy type "ALL_AT_ONCE" is not supported: use one of BURST, BATCH/);
    // A batch size only matters to the BATCH strategy.
    expect((await save({ ...base, submitStrategy: { type: 'BURST', batchSize: 0 } })).status).toBe(200);
  });

  it('refuses to delete a queue a device profile uses, and deletes one nobody uses', async () => {
    const profile = await tenant.post('/api/deviceProfile', {
      name: uniqueName('HP profile'),
      type: 'DEFAULT',
      transportType: 'DEFAULT',
      defaultQueueName: 'HighPriority',
      profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
    });
    expect(profile.status).toBe(200);
    const hp = okBody(await sysadmin.get('/api/queues/name/HighPriority'), 'hp');
    const refused = await sysadmin.delete(`/api/queues/${hp.id.id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('The queue referenced by the device profiles cannot be deleted!');

    const changes: string[] = [];
    app.running.app.get(QueueEvents).on('changed', (name) => changes.push(name));
    const spare = okBody(await save(validQueue('Spare')), 'spare');
    expect((await sysadmin.delete(`/api/queues/${spare.id.id}`)).status).toBe(200);
    expect(changes).toEqual(['Spare', 'Spare']);
    expect((await sysadmin.get(`/api/queues/${spare.id.id}`)).status).toBe(404);
    expect((await app.running.app.get(QueuesService).findAll()).map((q) => q.name)).not.toContain('Spare');
  });
});
