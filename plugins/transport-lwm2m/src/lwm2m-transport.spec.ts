import type { TransportContext } from '@edgewise/plugin-api';
import { FakeTransportCore, until } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentFormat } from './codecs/content';
import { BUILT_IN_MODELS_DIRECTORY, loadModelDirectory, ModelRegistry, parseDdf } from './ddf';
import { Lwm2mTransport } from './lwm2m-transport';
import { DEVICE, FakeDevice } from './test-support/fake-lwm2m';
import { UdpDevice } from './test-support/udp-device';

const MODELS = loadModelDirectory(BUILT_IN_MODELS_DIRECTORY);
/** An LwM2M 1.1 client with SenML JSON, and a 1.0 client that speaks TLV only. */
const LINKS_1_1 = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3>;ver=1.2,</3/0>,</5>;ver=1.1,</5/0>,</3303>;ver=1.1,</3303/0>';
const LINKS_1_0 = '</1/0>,</3>;ver=1.2,</3/0>,</3303>;ver=1.1,</3303/0>';
/** A vendor object no built-in model knows, as a tenant would upload it. */
const TEST_OBJECT_XML = `<?xml version="1.0" encoding="UTF-8"?><LWM2M><Object ObjectType="MODefinition"><Name>Level Sensor</Name>
<ObjectID>33000</ObjectID><MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Resources>
<Item ID="1"><Name>Level</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory><Type>Integer</Type></Item>
</Resources></Object></LWM2M>`;
const TEST_OBJECT_PROFILE = { type: 'LWM2M', observeAttr: { keyName: { '/33000_1.0/0/1': 'level' }, telemetry: ['/33000_1.0/0/1'] } };

/** The transport on a free UDP port, with the shared fake core behind it and simulated clients on UDP in front. */
describe('LwM2M transport over UDP', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(requestTimeoutMs = 3_000) {
    const core = new FakeTransportCore();
    core.endpoints.set('ep-1', DEVICE);
    const transport = new Lwm2mTransport(
      core,
      { host: '127.0.0.1', ports: { lwm2m: 0 }, maxPayloadBytes: 65_507, options: { requestTimeoutMs } },
      undefined,
      MODELS,
    );
    await transport.start();
    cleanups.push(() => transport.stop());
    const device = await UdpDevice.open(transport.boundPorts().lwm2m, new FakeDevice(MODELS));
    cleanups.push(() => device.close());
    return { core, transport, device };
  }

  it('registers a client (2.01, Location-Path /rd/{id}) and maps its values as the profile says, in SenML JSON', async () => {
    const { core, device } = await start();
    const registered = await device.register(['ep=ep-1', 'lt=300', 'lwm2m=1.1', 'b=U'], LINKS_1_1);
    expect(registered.code).toBe('2.01');
    expect(registered.locationPath).toEqual(['rd', expect.stringMatching(/^[0-9a-f]{10}$/)]);
    const session = await until(() => core.openSessionOf(DEVICE.deviceId));
    expect(session).toMatchObject({ kind: 'connection', rpcSubscription: true, attributeSubscription: true });
    await until(() => session.telemetry.includes('{"temperature":21.5}') && session.attributes.includes('{"utcOffset":"+01"}'));
    expect(session.telemetry).toEqual(expect.arrayContaining(['{"batteryLevel":87}', '{"powerSources":{"0":1,"1":5}}']));
    expect(session.attributes).toContain('{"manufacturer":"Edgewise Labs"}');
    const reads = device.requests.filter((request) => request.method === 'GET');
    expect(reads.find((request) => request.path === '/3/0/9')?.accept).toBe(ContentFormat.SENML_JSON);
    expect(device.observedPaths).toEqual(new Set(['/3303/0/5700']));
  });

  it('reads a 1.0 client in TLV, and turns its notifications into telemetry', async () => {
    const { core, device } = await start();
    await device.register(['ep=ep-1', 'lt=300', 'lwm2m=1.0'], LINKS_1_0);
    const session = await until(() => core.openSessionOf(DEVICE.deviceId));
    await until(() => session.telemetry.includes('{"powerSources":{"0":1,"1":5}}'));
    expect(device.requests.find((request) => request.path === '/3/0/6')?.accept).toBe(ContentFormat.TLV);
    await until(() => device.observedPaths.size === 1);
    device.fake.change('/3303/0/5700', 23.25);
    await until(() => session.telemetry.includes('{"temperature":23.25}'));
  });

  it('round-trips Read, WriteReplace and Execute RPCs over UDP; a large opaque write goes out block-wise', async () => {
    const { core, device } = await start();
    await device.register(['ep=ep-1', 'lt=300', 'lwm2m=1.1', 'b=U'], LINKS_1_1);
    const session = await until(() => core.openSessionOf(DEVICE.deviceId));
    const rpc = async (id: number, method: string, params: unknown) => {
      await session.pushRpc({ id, method, params });
      return JSON.parse(session.serverRpcReplies.find((reply) => reply.requestId === id)!.payload) as Record<string, unknown>;
    };
    expect(await rpc(1, 'Read', { key: 'batteryLevel' })).toEqual({ result: 'CONTENT', value: 87 });
    expect(await rpc(2, 'WriteReplace', { id: '/3/0/14', value: '+05' })).toEqual({ result: 'CHANGED' });
    expect(device.fake.values.get('/3/0/14')?.value).toBe('+05');
    expect(await rpc(3, 'Execute', { id: '/3/0/4' })).toEqual({ result: 'CHANGED' });
    expect(device.fake.executed).toEqual([{ path: '/3/0/4', argument: '' }]);
    const image = Buffer.alloc(5000, 0xa5);
    expect(await rpc(4, 'WriteReplace', { id: '/5/0/0', value: image.toString('hex') })).toEqual({ result: 'CHANGED' });
    expect(Buffer.from(device.fake.values.get('/5/0/0')!.value as Uint8Array)).toEqual(image);
    // The client's own answer passes through: a resource it does not have is NOT_FOUND.
    expect(await rpc(5, 'Read', { id: '/3/0/15' })).toEqual({ result: 'NOT_FOUND' });
  });

  it('ends the registration on De-register (2.02) and keeps it on Update (2.04)', async () => {
    const { core, device } = await start();
    await device.register(['ep=ep-1', 'lt=300', 'lwm2m=1.1'], LINKS_1_1);
    const session = await until(() => core.openSessionOf(DEVICE.deviceId));
    expect((await device.update(['lt=600'])).code).toBe('2.04');
    expect(session.closed).toBe(false);
    expect((await device.deregister()).code).toBe('2.02');
    expect(session.closed).toBe(true);
    expect((await device.update()).code).toBe('4.04');
  });

  it('ends the registration when its lifetime passes without an Update', async () => {
    const { core, device } = await start();
    await device.register(['ep=ep-1', 'lt=1', 'lwm2m=1.1'], LINKS_1_1);
    const session = await until(() => core.openSessionOf(DEVICE.deviceId));
    await until(() => session.closed, 3_000);
  });

  it('refuses an unknown endpoint with 4.03 and a reason, opening no session', async () => {
    const { core, device } = await start();
    const refused = await device.register(['ep=nobody', 'lt=300'], LINKS_1_1);
    expect(refused.code).toBe('4.03');
    expect(refused.payload.toString()).toMatch(/no such credentials/);
    expect(core.sessions).toHaveLength(0);
  });

  it('lets an RPC to a client that stopped answering fail as undelivered', async () => {
    const { core, device } = await start(500);
    await device.register(['ep=ep-1', 'lt=300', 'lwm2m=1.1'], LINKS_1_1);
    const session = await until(() => core.openSessionOf(DEVICE.deviceId));
    await until(() => device.observedPaths.size === 1);
    device.silent = true;
    await expect(session.pushRpc({ id: 9, method: 'Read', params: { id: '/3/0/9' } })).rejects.toThrow(/no response|never acknowledged/);
    expect(session.serverRpcReplies.find((reply) => reply.requestId === 9)).toBeUndefined();
  });

  it('closes every registration when it stops', async () => {
    const { core, transport, device } = await start();
    await device.register(['ep=ep-1', 'lt=300', 'lwm2m=1.1'], LINKS_1_1);
    const session = await until(() => core.openSessionOf(DEVICE.deviceId));
    await transport.stop();
    expect(session.closed).toBe(true);
    expect(transport.boundPorts()).toEqual({});
  });

  it('reads a client with the object models uploaded for its tenant, leaving out a stored file that does not parse', async () => {
    const { core, transport } = await start();
    const uploaded = new ModelRegistry().add(...parseDdf(TEST_OBJECT_XML, '33000.xml'));
    const fake = new FakeDevice({ find: (id, v) => uploaded.find(id, v) ?? MODELS.find(id, v) });
    fake.set('/33000/0/1', 'INTEGER', 42);
    const asked: string[] = [];
    const context: TransportContext = core; // the shared fake leaves this optional member of the seam out
    context.lwm2mModels = (tenantId) => {
      asked.push(tenantId);
      return Promise.resolve([
        { fileName: 'broken.xml', xml: '<LWM2M><Object>' },
        { fileName: '33000.xml', xml: TEST_OBJECT_XML },
      ]);
    };
    const client = await UdpDevice.open(transport.boundPorts().lwm2m, fake);
    cleanups.push(() => client.close());
    core.endpoints.set('ep-2', { ...DEVICE, deviceId: 'device-2', transportConfiguration: TEST_OBJECT_PROFILE });
    expect((await client.register(['ep=ep-2', 'lt=300', 'lwm2m=1.1'], `${LINKS_1_1},</33000/0>`)).code).toBe('2.01');
    const session = await until(() => core.openSessionOf('device-2'));
    await until(() => session.telemetry.includes('{"level":42}'));
    expect(asked).toEqual([DEVICE.tenantId]);
    expect(core.logged('warn', /broken\.xml is not a valid OMA DDF file/)).toHaveLength(1);
  });

  it('refuses to start on a port that is taken, naming it', async () => {
    const { transport } = await start();
    const port = transport.boundPorts().lwm2m;
    const second = new Lwm2mTransport(
      new FakeTransportCore(),
      { host: '127.0.0.1', ports: { lwm2m: port }, maxPayloadBytes: 1024, options: {} },
      undefined,
      MODELS,
    );
    await expect(second.start()).rejects.toThrow(`LwM2M transport: cannot listen on UDP 127.0.0.1:${port}`);
  });
});
