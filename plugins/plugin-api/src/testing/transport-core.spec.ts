import { describe, expect, it } from 'vitest';
import type { SessionListener } from '../transport';
import { PayloadError } from '../transport';
import { FakeDeviceSession, FakeTransportCore, TEST_GATEWAY_TOKEN, TEST_TOKEN, testDeviceIdentity } from './transport-core';

const closes: string[] = [];
const listener: SessionListener = {
  onAttributeUpdate: () => {},
  onServerRpc: () => Promise.resolve(),
  onClose: (reason) => void closes.push(reason),
};

/** The transport's view of the fake: a session of the authenticated test device. */
async function openedSession(core = new FakeTransportCore(), token = TEST_TOKEN): Promise<FakeDeviceSession> {
  const auth = await core.authenticate({ type: 'ACCESS_TOKEN', token });
  if (!auth.ok) throw new Error(auth.reason);
  return core.openSession(auth.device, listener) as FakeDeviceSession;
}

/** The stand-in for the core that transport tests run on must answer as the core does where transports rely on it. */
describe('FakeTransportCore', () => {
  it('authenticates by token, MQTT username, certificate and LwM2M endpoint, and answers NOT_FOUND otherwise', async () => {
    const core = new FakeTransportCore();
    core.certificates.set('MIIB', testDeviceIdentity({ deviceId: 'x509' }));
    core.endpoints.set('ep-1', testDeviceIdentity({ deviceId: 'lwm2m' }));
    const deviceIdOf = async (credentials: Parameters<FakeTransportCore['authenticate']>[0]) => {
      const result = await core.authenticate(credentials);
      return result.ok ? result.device.deviceId : result.failure;
    };
    expect(await deviceIdOf({ type: 'ACCESS_TOKEN', token: TEST_TOKEN })).toBe('device-1');
    expect(await deviceIdOf({ type: 'MQTT_BASIC', username: TEST_GATEWAY_TOKEN })).toBe('gateway-1');
    expect(await deviceIdOf({ type: 'X509_CERTIFICATE', certificate: 'MIIB' })).toBe('x509');
    expect(await deviceIdOf({ type: 'LWM2M_CREDENTIALS', endpoint: 'ep-1' })).toBe('lwm2m');
    expect(await deviceIdOf({ type: 'ACCESS_TOKEN', token: 'nope' })).toBe('NOT_FOUND');
  });

  it('keeps telemetry and attributes of the contract’s shapes, refuses others with PayloadError, and holds commits on request', async () => {
    const core = new FakeTransportCore();
    const session = await openedSession(core);
    await session.postTelemetry('[{"a":1}]');
    await expect(session.postTelemetry('[1]')).rejects.toBeInstanceOf(PayloadError);
    await expect(session.postAttributes('[{"a":1}]')).rejects.toBeInstanceOf(PayloadError);
    await expect(session.postAttributes('{broken')).rejects.toBeInstanceOf(PayloadError);

    core.manualCommits = true;
    const held = session.postAttributes('{"b":2}');
    expect(core.attributes).toEqual([]);
    core.heldCommits[0].resolve();
    await held;
    expect(core.uplinks).toEqual([
      { device: 'D1', kind: 'telemetry', payload: '[{"a":1}]' },
      { device: 'D1', kind: 'attributes', payload: '{"b":2}' },
    ]);
    expect([session.telemetry, session.attributes]).toEqual([['[{"a":1}]'], ['{"b":2}']]);

    core.manualCommits = false;
    core.storageFailure = new Error('disk full');
    await expect(session.postTelemetry('{"c":3}')).rejects.toThrow('disk full');
  });

  it('cuts OTA chunks as the core does and still serves a package after another one is assigned', async () => {
    const core = new FakeTransportCore();
    const session = await openedSession(core);
    const first = Uint8Array.from({ length: 10 }, (_, i) => i);
    core.assignOta('FIRMWARE', 'fw-1', first);
    expect(await session.findOtaPackage('FIRMWARE')).toMatchObject({ ok: true, package: { packageId: 'fw-1', size: 10 } });
    core.assignOta('FIRMWARE', 'fw-2', new Uint8Array(3));
    expect(await session.readOtaChunk('fw-1', 4, 2)).toEqual(first.subarray(8, 10));
    expect(await session.readOtaChunk('fw-1', 4, 3)).toEqual(new Uint8Array());
    expect(await session.readOtaChunk('fw-1', 0, 5)).toEqual(first);
    core.assignOtaWithoutBinary('SOFTWARE');
    expect(await session.findOtaPackage('SOFTWARE')).toEqual({ ok: false, error: 'FAILURE' });
  });

  it('closes a gateway’s children with the gateway’s session, and tells a session the core closed from one the transport closed', async () => {
    const core = new FakeTransportCore();
    const gateway = await openedSession(core, TEST_GATEWAY_TOKEN);
    const child = (await core.openGatewayChildSession(gateway, 'Child', undefined, listener)) as FakeDeviceSession;
    await expect(core.openGatewayChildSession(gateway, ' ', undefined, listener)).rejects.toBeInstanceOf(PayloadError);
    child.closeBy('DEVICE_DELETED');
    expect([child.closedByCore, child.closed, closes.at(-1)]).toEqual(['DEVICE_DELETED', false, 'DEVICE_DELETED']);
    expect(core.openSessionOf(child.device.deviceId)).toBeUndefined();
    gateway.close();
    expect(child.closed).toBe(true);
  });

  it('lists the polled devices of a watch and passes changes on until the watch stops', async () => {
    const core = new FakeTransportCore();
    const polled = { device: testDeviceIdentity({ transportType: 'SNMP' }), deviceTransportConfiguration: {} };
    core.polledDevices.push(polled);
    const changes: unknown[] = [];
    const watch = await core.watchPolledDevices('SNMP', (change) => changes.push(change));
    expect([watch.devices, core.watchedTransportType]).toEqual([[polled], 'SNMP']);
    core.changePolledDevice({ kind: 'removed', deviceId: 'device-1' });
    watch.stop();
    core.changePolledDevice({ kind: 'removed', deviceId: 'device-2' });
    expect(changes).toEqual([{ kind: 'removed', deviceId: 'device-1' }]);
  });
});
