import { describe, expect, it, vi } from 'vitest';
import { Lwm2mServer } from './lwm2m-server';
import { FakeCore, FakeDevice, TEST_MODELS } from './test-support/fake-lwm2m';

const LINKS = '</>;rt="oma.lwm2m";ct="60 110 112 11542",</1/0>,</3>;ver=1.2,</3/0>,</3303>;ver=1.1,</3303/0>';

async function registered() {
  const core = new FakeCore();
  const device = new FakeDevice();
  const server = new Lwm2mServer(core, { downlink: device, models: TEST_MODELS, log: core.log, requestTimeoutMs: 1000 });
  await server.handle({
    method: 'POST',
    path: ['rd'],
    query: ['ep=ep-1', 'lwm2m=1.1'],
    payload: Buffer.from(LINKS),
    peer: { address: '127.0.0.1', port: 1 },
  });
  await vi.waitFor(() => expect(device.observed()).toContain('/3303/0/5700'));
  return { session: core.session, device };
}

/** Server-side RPC to an LwM2M client (device-api.md §6.3). */
describe('LwM2M RPC', () => {
  it('Read by id (plain or versioned) or by key answers CONTENT with the typed value', async () => {
    const { session, device } = await registered();
    device.change('/3/0/9', 42);
    expect(await session.rpc('Read', { id: '/3/0/9' })).toEqual({ result: 'CONTENT', value: 42 });
    expect(await session.rpc('Read', { id: '/3_1.2/0/0' })).toEqual({ result: 'CONTENT', value: 'Edgewise Labs' });
    expect(await session.rpc('Read', { key: 'batteryLevel' })).toEqual({ result: 'CONTENT', value: 42 });
    expect(await session.rpc('Read', { id: '/3/0/6' })).toEqual({ result: 'CONTENT', value: { 0: 1, 1: 5 } });
    expect(await session.rpc('Read', { id: '/3/0' })).toMatchObject({
      result: 'CONTENT',
      value: { 0: 'Edgewise Labs', 9: 42, 6: { 0: 1, 1: 5 } },
    });
    // the read value is also stored as telemetry
    expect(session.telemetry.at(-1)).toContain('"batteryLevel":42');
  });

  it('answers the client’s error code, and BAD_REQUEST for params it cannot use', async () => {
    const { session } = await registered();
    expect(await session.rpc('Read', { id: '/3/1/9' })).toEqual({ result: 'NOT_FOUND' });
    expect(await session.rpc('Read', {})).toEqual({
      result: 'BAD_REQUEST',
      error: "Can't find 'key' or 'id' in the requestParams parameters!",
    });
    expect(await session.rpc('Read', { id: '/3_1.0/0/9' })).toMatchObject({
      result: 'BAD_REQUEST',
      error: expect.stringMatching(/Must be version: 1.2/),
    });
    expect(await session.rpc('Read', { id: '/77/0/1' })).toMatchObject({ result: 'BAD_REQUEST', error: expect.stringMatching(/model 77/) });
    expect(await session.rpc('Read', { key: 'nope' })).toMatchObject({ result: 'BAD_REQUEST' });
    expect(await session.rpc('Reboot', {})).toEqual({ result: 'METHOD_NOT_ALLOWED', error: 'Unsupported operation type: Reboot' });
  });

  it('WriteReplace converts the value to the resource type; Execute checks the model', async () => {
    const { session, device } = await registered();
    expect(await session.rpc('WriteReplace', { id: '/3/0/14', value: '+07' })).toEqual({ result: 'CHANGED' });
    expect(device.values.get('/3/0/14')?.value).toBe('+07');
    expect(await session.rpc('WriteReplace', { key: 'utcOffset', value: 12 })).toEqual({ result: 'CHANGED' });
    expect(device.values.get('/3/0/14')?.value).toBe('12');
    expect(await session.rpc('WriteReplace', { id: '/3/0', value: 1 })).toMatchObject({ result: 'BAD_REQUEST' });

    expect(await session.rpc('Execute', { id: '/3/0/4' })).toEqual({ result: 'CHANGED' });
    expect(device.executed).toEqual([{ path: '/3/0/4', argument: '' }]);
    expect(await session.rpc('Execute', { id: '/3/0/9' })).toEqual({
      result: 'BAD_REQUEST',
      error: 'Resource with /3_1.2/0/9 is not executable.',
    });
  });

  it('WriteUpdate takes resourceId → value for an instance', async () => {
    const { session, device } = await registered();
    expect(await session.rpc('WriteUpdate', { id: '/3/0', value: { 14: '+09' } })).toEqual({ result: 'CHANGED' });
    expect(device.values.get('/3/0/14')?.value).toBe('+09');
    expect(await session.rpc('WriteUpdate', { id: '/3/0/9', value: 1 })).toMatchObject({ result: 'BAD_REQUEST' });
  });

  it('Observe, ObserveReadAll, ObserveCancel and ObserveCancelAll manage the observations', async () => {
    const { session, device } = await registered();
    expect(await session.rpc('Observe', { id: '/3/0/9' })).toEqual({ result: 'CONTENT', value: 87 });
    expect(await session.rpc('Observe', { id: '/3/0/9' })).toEqual({ result: 'BAD_REQUEST', error: 'Observation is already registered!' });
    expect(JSON.parse((await session.rpc('ObserveReadAll', {})).value as string).sort()).toEqual([
      'SingleObservation:/3/0/9',
      'SingleObservation:/3303/0/5700',
    ]);
    device.change('/3/0/9', 55);
    await vi.waitFor(() => expect(session.telemetry.at(-1)).toBe('{"batteryLevel":55}'));
    expect(await session.rpc('ObserveCancel', { id: '/3/0/9' })).toEqual({ result: 'CONTENT', value: '1' });
    expect(await session.rpc('ObserveCancel', { id: '/3/0/9' })).toMatchObject({ result: 'BAD_REQUEST' });
    expect(await session.rpc('ObserveCancelAll', {})).toEqual({ result: 'CONTENT', value: '1' });
    expect(device.observed()).toEqual([]);
  });

  it('Discover asks the client; DiscoverAll answers from the registration', async () => {
    const { session } = await registered();
    expect(await session.rpc('Discover', { id: '/3/0' })).toEqual({ result: 'CONTENT', value: '</3/0>,</3/0/9>' });
    expect(JSON.parse((await session.rpc('DiscoverAll', {})).value as string)).toEqual([
      '</1/0>',
      '</3>;ver=1.2',
      '</3/0>',
      '</3303>;ver=1.1',
      '</3303/0>',
    ]);
  });

  it('WriteAttributes, Delete and Create reach the client', async () => {
    const { session, device } = await registered();
    expect(await session.rpc('WriteAttributes', { id: '/3/0/9', attributes: { pmin: 5, pmax: 60, gt: 80 } })).toEqual({
      result: 'CHANGED',
    });
    expect(device.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/3/0/9', query: ['pmax=60', 'pmin=5', 'gt=80'] });
    expect(await session.rpc('Delete', { id: '/3303/0' })).toEqual({ result: 'DELETED' });
    expect(await session.rpc('Create', { id: '/3303', value: { 5701: 'Cel' } })).toEqual({ result: 'CREATED', value: 'location=/3303/1' });
    expect(await session.rpc('Create', { id: '/3', value: {} })).toMatchObject({
      result: 'BAD_REQUEST',
      error: 'Path /3_1.2. Object must be Multiple !',
    });
  });

  it('ReadComposite, WriteComposite, ObserveComposite and ObserveCompositeCancel use SenML on FETCH / iPATCH', async () => {
    const { session, device } = await registered();
    expect(await session.rpc('ReadComposite', { ids: ['/3/0/9', '/3303_1.1/0/5700'] })).toEqual({
      result: 'CONTENT',
      value: { '/3/0/9': 87, '/3303/0/5700': 21.5 },
    });
    expect(device.requests.at(-1)).toMatchObject({ method: 'FETCH', path: '/', contentFormat: 110, accept: 110 });
    expect(await session.rpc('ReadComposite', { keys: ['batteryLevel'] })).toEqual({ result: 'CONTENT', value: { '/3/0/9': 87 } });

    expect(await session.rpc('WriteComposite', { nodes: { '/3/0/14': '+04', utcOffset: '+04' } })).toEqual({ result: 'CHANGED' });
    expect(device.values.get('/3/0/14')?.value).toBe('+04');
    expect(await session.rpc('WriteComposite', { nodes: { '/3/0': 1 } })).toMatchObject({ result: 'BAD_REQUEST' });

    expect(await session.rpc('ObserveComposite', { ids: ['/3/0/9', '/3/0/0'] })).toMatchObject({ result: 'CONTENT' });
    device.change('/3/0/9', 12);
    await vi.waitFor(() => expect(session.telemetry.at(-1)).toBe('{"batteryLevel":12}'));
    expect(JSON.parse((await session.rpc('ObserveReadAll', {})).value as string)).toContain('CompositeObservation:[/3/0/9, /3/0/0]');
    expect(await session.rpc('ObserveCompositeCancel', { ids: ['/3/0/0', '/3/0/9'] })).toEqual({ result: 'CONTENT', value: '1' });
    expect(device.observed()).toEqual(['/3303/0/5700']);
  });

  it('refuses composite operations to a client without SenML', async () => {
    const core = new FakeCore();
    const device = new FakeDevice();
    const server = new Lwm2mServer(core, { downlink: device, models: TEST_MODELS, log: core.log, requestTimeoutMs: 1000 });
    await server.handle({
      method: 'POST',
      path: ['rd'],
      query: ['ep=ep-1'],
      payload: Buffer.from('</3>;ver=1.2,</3/0>'),
      peer: { address: '127.0.0.1', port: 1 },
    });
    expect(await core.session.rpc('ReadComposite', { ids: ['/3/0/9'] })).toEqual({
      result: 'INTERNAL_SERVER_ERROR',
      error: 'This device does not support Composite Operation',
    });
  });

  it('leaves the RPC unanswered when the client does not answer, so it ends as a timeout', async () => {
    const { session, device } = await registered();
    device.silent.add('/3/0/9');
    await expect(session.listener.onServerRpc({ id: 7, method: 'Read', params: { id: '/3/0/9' }, oneway: false })).rejects.toThrow(
      /no answer/,
    );
    expect(session.rpcReplies.find((r) => r.requestId === 7)).toBeUndefined();
  });
});
