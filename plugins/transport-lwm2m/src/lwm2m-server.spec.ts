import { afterEach, describe, expect, it, vi } from 'vitest';
import { Lwm2mServer, type IncomingRequest } from './lwm2m-server';
import { DEVICE, FakeCore, FakeDevice, TEST_MODELS } from './test-support/fake-lwm2m';

const PEER = { address: '127.0.0.1', port: 56830 };
const LINKS = '</>;rt="oma.lwm2m";ct="60 110 112 11542",</1/0>,</3>;ver=1.2,</3/0>,</3303>;ver=1.1,</3303/0>';

function setup() {
  const core = new FakeCore();
  const device = new FakeDevice();
  const server = new Lwm2mServer(core, { downlink: device, models: TEST_MODELS, log: core.log, requestTimeoutMs: 1000 });
  const request = (method: string, path: string, query: string[] = [], payload = ''): Promise<Awaited<ReturnType<Lwm2mServer['handle']>>> =>
    server.handle({
      method,
      path: path.split('/').filter(Boolean),
      query,
      payload: Buffer.from(payload),
      peer: PEER,
    } satisfies IncomingRequest);
  const register = async (query = ['ep=ep-1', 'lt=300', 'lwm2m=1.1', 'b=U']) => {
    const answer = await request('POST', '/rd', query, LINKS);
    await vi.waitFor(() => expect(device.observed()).toContain('/3303/0/5700'));
    return answer;
  };
  return { core, device, server, request, register };
}

describe('LwM2M registration interface', () => {
  afterEach(() => vi.useRealTimers());

  it('registers a known endpoint: 2.01 with /rd/{id}, a connection session with RPC and attribute subscriptions', async () => {
    const { core, register, server } = setup();
    const answer = await register();
    expect(answer.code).toBe('2.01');
    expect(answer.locationPath?.[0]).toBe('rd');
    expect(answer.locationPath?.[1]).toMatch(/^[0-9a-f]{10}$/);
    expect(core.sessions).toHaveLength(1);
    expect(core.session).toMatchObject({ device: DEVICE, rpcSubscription: true, attributeSubscription: true, closed: false });
    expect(server.clientOf('ep-1')?.state).toMatchObject({ version: '1.1', lifetimeS: 300, binding: 'U' });
  });

  it('refuses an unknown endpoint with 4.03, a malformed request with 4.00, and opens no session', async () => {
    const { core, request } = setup();
    expect((await request('POST', '/rd', ['ep=nobody'], LINKS)).code).toBe('4.03');
    expect((await request('POST', '/rd', ['lt=30'], LINKS)).code).toBe('4.00');
    expect(await request('POST', '/rd', ['ep=ep-1', 'lwm2m=1.2'], LINKS)).toMatchObject({
      code: '4.00',
      payload: expect.stringMatching(/lwm2m=1.0 or lwm2m=1.1/),
    });
    expect((await request('POST', '/rd', ['ep=ep-1'], '</3/0>;</5')).code).toBe('4.00');
    core.authOverride = { ok: false, failure: 'UNAVAILABLE', reason: 'database down' };
    expect((await request('POST', '/rd', ['ep=ep-1'], LINKS)).code).toBe('5.03');
    expect(core.sessions).toHaveLength(0);
  });

  it('refuses a device whose profile is not an LwM2M profile', async () => {
    const { core, request } = setup();
    core.endpoints.set('ep-mqtt', { ...DEVICE, transportType: 'DEFAULT' });
    expect(await request('POST', '/rd', ['ep=ep-mqtt'], LINKS)).toMatchObject({
      code: '4.03',
      payload: expect.stringMatching(/transport type LWM2M/),
    });
  });

  it('reads the profile paths and observes the observed ones; values land as telemetry and client attributes under their keys', async () => {
    const { core, device, register } = setup();
    await register();
    await vi.waitFor(() => expect(core.session.attributes).toContain('{"utcOffset":"+01"}'));
    const session = core.session;
    expect(session.attributes).toContain('{"manufacturer":"Edgewise Labs"}');
    expect(session.telemetry).toContain('{"batteryLevel":87}');
    expect(session.telemetry).toContain('{"powerSources":{"0":1,"1":5}}');
    expect(session.telemetry).toContain('{"temperature":21.5}');
    // the observed path is only observed, not read; Write-Attributes carries the profile's pmin/pmax
    expect(device.requests.filter((r) => r.path === '/3303/0/5700').map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(device.requests.find((r) => r.method === 'PUT' && r.path === '/3303/0/5700')?.query).toEqual(['pmax=10', 'pmin=1']);

    device.change('/3303/0/5700', 22.0);
    await vi.waitFor(() => expect(session.telemetry.at(-1)).toBe('{"temperature":22.0}'));
  });

  it('observes with one Observe-Composite under the COMPOSITE_ALL strategy', async () => {
    const { core, device, request } = setup();
    const configuration = DEVICE.transportConfiguration as { observeAttr: Record<string, unknown> };
    core.endpoints.set('ep-composite', {
      ...DEVICE,
      transportConfiguration: {
        ...DEVICE.transportConfiguration,
        observeAttr: { ...configuration.observeAttr, observe: ['/3_1.2/0/9', '/3303_1.1/0/5700'], observeStrategy: 'COMPOSITE_ALL' },
      },
    });
    await request('POST', '/rd', ['ep=ep-composite', 'lwm2m=1.1'], LINKS);
    await vi.waitFor(() => expect(device.observed()).toEqual(['composite:/3/0/9,/3303/0/5700']));
    device.change('/3303/0/5700', 19.5);
    await vi.waitFor(() => expect(core.session.telemetry.at(-1)).toBe('{"batteryLevel":87,"temperature":19.5}'));
  });

  it('keeps the times of a Send (LwM2M 1.1, SenML on POST /dp) and refuses a Send from an unregistered address', async () => {
    const { core, register, request, server } = setup();
    await register();
    const senml = '[{"bn":"/3/0/9","bt":1700000000,"v":80},{"bn":"/3303/0/5700","bt":1700000060,"v":20.5}]';
    expect(await request('POST', '/dp', [], senml)).toMatchObject({ code: '2.04' });
    expect(core.session.telemetry.at(-1)).toBe(
      '[{"ts":1700000000000,"values":{"batteryLevel":80}},{"ts":1700000060000,"values":{"temperature":20.5}}]',
    );
    const stranger = { method: 'POST', path: ['dp'], query: [], payload: Buffer.from(senml), peer: { address: '127.0.0.2', port: 9 } };
    expect((await server.handle(stranger)).code).toBe('4.03');
  });

  it('ignores profile paths of objects the client did not register, or registered in another version', async () => {
    const { core, device, request } = setup();
    await request('POST', '/rd', ['ep=ep-1', 'lwm2m=1.0'], '</1/0>,</3/0>');
    await vi.waitFor(() => expect(core.session.attributeRequests).toHaveLength(1));
    // object 3 without ver is version 1.0 (the profile's defaultObjectIDVer), the profile maps /3_1.2: nothing is read
    expect(device.requests).toEqual([]);
  });

  it('writes a shared attribute named in keyName to its resource when it differs from the reported value', async () => {
    const { core, device, register } = setup();
    core.sessions.length = 0;
    await register();
    const session = core.session;
    session.listener.onAttributeUpdate('{"utcOffset":"+05","unrelated":1}');
    await vi.waitFor(() => expect(device.values.get('/3/0/14')?.value).toBe('+05'));
    const writes = () => device.requests.filter((r) => r.method === 'PUT' && r.path === '/3/0/14');
    expect(writes()).toHaveLength(1);
    session.listener.onAttributeUpdate('{"utcOffset":"+05"}'); // unchanged: nothing sent
    session.listener.onAttributeUpdate('{"deleted":["utcOffset"]}');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes()).toHaveLength(1);
  });

  it('pushes the current shared attributes at registration', async () => {
    const { core, device, request } = setup();
    const original = core.openSession.bind(core);
    core.openSession = (identity, listener) => {
      const session = original(identity, listener) as ReturnType<typeof original> & { sharedAttributes: string };
      session.sharedAttributes = '{"utcOffset":"-03"}';
      return session;
    };
    await request('POST', '/rd', ['ep=ep-1', 'lwm2m=1.1'], LINKS);
    await vi.waitFor(() => expect(device.values.get('/3/0/14')?.value).toBe('-03'));
    expect(core.session.attributeRequests[0].sharedKeys?.sort()).toEqual([
      'batteryLevel',
      'fw_title',
      'fw_url',
      'fw_version',
      'manufacturer',
      'powerSources',
      'sw_title',
      'sw_url',
      'sw_version',
      'temperature',
      'utcOffset',
    ]);
  });

  it('updates a registration (2.04) and de-registers it (2.02), closing the session; unknown ids get 4.04', async () => {
    const { core, device, register, request } = setup();
    const { locationPath } = await register();
    const rd = `/rd/${locationPath![1]}`;
    expect((await request('POST', rd, ['lt=600'])).code).toBe('2.04');
    expect((await request('POST', '/rd/nope', [])).code).toBe('4.04');
    expect((await request('DELETE', rd)).code).toBe('2.02');
    expect(core.session.closed).toBe(true);
    expect(device.observed()).toEqual([]);
    expect((await request('DELETE', rd)).code).toBe('4.04');
    expect((await request('GET', '/rd')).code).toBe('4.05');
    expect((await request('POST', '/bs', ['ep=ep-1'])).code).toBe('4.04');
  });

  it('closes the session when the lifetime passes without an update; an update restarts the lifetime', async () => {
    const { core, register, request } = setup();
    const { locationPath } = await register(['ep=ep-1', 'lt=60', 'lwm2m=1.1']);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await request('POST', `/rd/${locationPath![1]}`, ['lt=60']); // re-arms the timer under fake time
    vi.advanceTimersByTime(59_000);
    expect(core.session.closed).toBe(false);
    await request('POST', `/rd/${locationPath![1]}`, []);
    vi.advanceTimersByTime(59_000);
    expect(core.session.closed).toBe(false);
    vi.advanceTimersByTime(1_001);
    expect(core.session.closed).toBe(true);
    expect((await request('POST', `/rd/${locationPath![1]}`, [])).code).toBe('4.04');
  });

  it('replaces the registration of an endpoint that registers again', async () => {
    const { core, register } = setup();
    await register();
    await register();
    expect(core.sessions.map((s) => s.closed)).toEqual([true, false]);
  });

  it('ends the registration when the core deletes the device, and re-opens an expired core session', async () => {
    const { core, register, server } = setup();
    await register();
    core.session.listener.onClose('SESSION_TIMEOUT');
    expect(core.sessions).toHaveLength(2);
    expect(core.session).toMatchObject({ rpcSubscription: true, closed: false });
    core.session.listener.onClose('DEVICE_DELETED');
    expect(server.registrationCount()).toBe(0);
  });
});
