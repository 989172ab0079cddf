import { createHash } from 'node:crypto';
import type { OtaPackageLookup } from '@edgewise/plugin-api';
import { describe, expect, it, vi } from 'vitest';
import { Lwm2mServer } from './lwm2m-server';
import { DEVICE, FakeCore, FakeDevice, type FakeSession, TEST_MODELS } from './test-support/fake-lwm2m';

const LINKS = '</>;rt="oma.lwm2m";ct="60 110 112 11542",</1/0>,</3>;ver=1.2,</3/0>,</5>;ver=1.1,</5/0>';
const OTA_DEVICE = {
  ...DEVICE,
  transportConfiguration: {
    type: 'LWM2M',
    observeAttr: {
      keyName: { '/5_1.1/0/3': 'state', '/5_1.1/0/5': 'updateResult', '/5_1.1/0/6': 'pkgname', '/5_1.1/0/7': 'pkgversion' },
      observe: ['/5_1.1/0/3', '/5_1.1/0/5'],
      attribute: [],
      telemetry: ['/5_1.1/0/3', '/5_1.1/0/5', '/5_1.1/0/6', '/5_1.1/0/7'],
    },
    clientLwM2mSettings: { fwUpdateStrategy: 1 },
  },
};
const BINARY = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
const PACKAGE: OtaPackageLookup = {
  ok: true,
  package: {
    packageId: 'pkg-1',
    title: 'tracker',
    version: '1.1',
    size: BINARY.length,
    fileName: 'tracker-1.1.bin',
    contentType: 'application/octet-stream',
    checksumAlgorithm: 'SHA256',
    checksum: '',
  },
};

/** A client whose firmware logic downloads on Package write and applies on Update (Object 5). */
function firmwareClient(device: FakeDevice, outcome: 'success' | 'integrity-failure') {
  device.set('/5/0/3', 'INTEGER', 0);
  device.set('/5/0/5', 'INTEGER', 0);
  device.set('/5/0/6', 'STRING', 'tracker');
  device.set('/5/0/7', 'STRING', '1.0');
  device.onWritten = (path) => {
    if (path !== '/5/0/0') return;
    device.change('/5/0/3', 1);
    device.change('/5/0/3', 2);
  };
  device.onExecuted = (path) => {
    if (path !== '/5/0/2') return;
    device.change('/5/0/3', 3);
    if (outcome === 'success') {
      device.change('/5/0/7', '1.1');
      device.change('/5/0/5', 1);
    } else device.change('/5/0/5', 5);
    device.change('/5/0/3', 0);
  };
}

async function registered(configure: (session: FakeSession) => void, outcome: 'success' | 'integrity-failure' = 'success') {
  const core = new FakeCore();
  core.endpoints.set('ep-1', OTA_DEVICE);
  const original = core.openSession.bind(core);
  core.openSession = (identity, listener) => {
    const session = original(identity, listener) as FakeSession;
    configure(session);
    return session;
  };
  const device = new FakeDevice();
  firmwareClient(device, outcome);
  const server = new Lwm2mServer(core, { downlink: device, models: TEST_MODELS, log: core.log, requestTimeoutMs: 1000 });
  await server.handle({
    method: 'POST',
    path: ['rd'],
    query: ['ep=ep-1', 'lwm2m=1.1'],
    payload: Buffer.from(LINKS),
    peer: { address: '127.0.0.1', port: 1 },
  });
  return { core, device };
}

/** The state reports (`{ts, values}`) the transport posted for `key`, oldest first. */
const stateReports = (session: FakeSession, key: 'fw_state' | 'sw_state') =>
  session.telemetry
    .map((t) => JSON.parse(t) as { ts: number; values: Record<string, unknown> })
    .filter((t) => t.values && key in t.values)
    .map((t) => ({ ts: t.ts, state: t.values[key] }));

const states = (session: FakeSession) => stateReports(session, 'fw_state').map((r) => r.state);

describe('firmware update through Object 5', () => {
  it('writes the assigned binary to /5/0/0, executes Update once downloaded, and reports DOWNLOADING → UPDATED', async () => {
    const { core, device } = await registered((session) => {
      session.sharedAttributes = '{"fw_title":"tracker","fw_version":"1.1"}';
      session.otaPackage = PACKAGE;
      session.otaBinary = BINARY;
    });
    const session = core.session;
    await vi.waitFor(() => expect(states(session)).toContain('UPDATED'));
    expect(states(session)).toEqual(['DOWNLOADING', 'DOWNLOADED', 'UPDATING', 'UPDATED']);
    // Each state is stored at a moment of its own, even when the client answers within one millisecond.
    const moments = stateReports(session, 'fw_state').map((r) => r.ts);
    expect(moments.every((ts, i) => i === 0 || ts > moments[i - 1])).toBe(true);
    expect(device.values.get('/5/0/0')?.value).toEqual(BINARY);
    expect(device.executed.map((e) => e.path)).toEqual(['/5/0/2']);
    expect(session.telemetry.some((t) => t.includes('"transportLog":"Firmware Update Result: UPDATE_SUCCESSFULLY"'))).toBe(true);
  });

  it('starts when the target arrives as a shared-attribute push, and not again for the running version', async () => {
    const { core, device } = await registered((session) => {
      session.otaPackage = PACKAGE;
      session.otaBinary = BINARY;
    });
    const session = core.session;
    await vi.waitFor(() => expect(session.attributeRequests).toHaveLength(1));
    session.listener.onAttributeUpdate('{"fw_title":"tracker","fw_version":"1.0"}'); // already running
    await new Promise((resolve) => setImmediate(resolve));
    expect(device.requests.filter((r) => r.path === '/5/0/0')).toHaveLength(0);
    session.listener.onAttributeUpdate('{"fw_title":"tracker","fw_version":"1.1"}');
    await vi.waitFor(() => expect(states(session).at(-1)).toBe('UPDATED'));
  });

  it('retries an integrity-check failure up to three times, then reports FAILED and stops', async () => {
    const { core, device } = await registered((session) => {
      session.sharedAttributes = '{"fw_title":"tracker","fw_version":"1.1"}';
      session.otaPackage = PACKAGE;
      session.otaBinary = BINARY;
    }, 'integrity-failure');
    await vi.waitFor(() => expect(device.requests.filter((r) => r.path === '/5/0/0')).toHaveLength(4));
    await vi.waitFor(() => expect(states(core.session).filter((s) => s === 'FAILED')).toHaveLength(4));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(device.requests.filter((r) => r.path === '/5/0/0')).toHaveLength(4);
  });

  it('writes the package URL to /5/0/1 for a URL package', async () => {
    const { core, device } = await registered((session) => {
      session.sharedAttributes = '{"fw_title":"tracker","fw_version":"1.1","fw_url":"coap://files.example/fw.bin"}';
    });
    await vi.waitFor(() => expect(device.values.get('/5/0/1')?.value).toBe('coap://files.example/fw.bin'));
    expect(core.session.telemetry.some((t) => t.includes('FAILED'))).toBe(false);
  });

  it('sends a URL of the package instead when the client reports Delivery Method pull, after the package info in Object 19', async () => {
    const core = new FakeCore();
    const configuration = OTA_DEVICE.transportConfiguration;
    core.endpoints.set('ep-1', {
      ...OTA_DEVICE,
      transportConfiguration: {
        ...configuration,
        observeAttr: { ...configuration.observeAttr, telemetry: [...configuration.observeAttr.telemetry, '/5_1.1/0/9'] },
        clientLwM2mSettings: { fwUpdateStrategy: 1, fwUpdateResource: 'coap://edge.local:5685', useObject19ForOtaInfo: true },
      },
    });
    const original = core.openSession.bind(core);
    core.openSession = (identity, listener) => {
      const session = original(identity, listener) as FakeSession;
      session.sharedAttributes = '{"fw_title":"tracker","fw_version":"1.1"}';
      session.otaPackage = PACKAGE;
      session.otaBinary = BINARY;
      return session;
    };
    const device = new FakeDevice();
    firmwareClient(device, 'success');
    device.set('/5/0/9', 'INTEGER', 0);
    const server = new Lwm2mServer(core, { downlink: device, models: TEST_MODELS, log: core.log, requestTimeoutMs: 1000 });
    await server.handle({
      method: 'POST',
      path: ['rd'],
      query: ['ep=ep-1', 'lwm2m=1.1'],
      payload: Buffer.from(`${LINKS},</19>,</19/65533>`),
      peer: { address: '127.0.0.1', port: 1 },
    });
    await vi.waitFor(() => expect(device.values.get('/5/0/1')?.value).toBe('coap://edge.local:5685/tbfw/pkg-1'));
    const info = JSON.parse(Buffer.from(device.values.get('/19/65533/0/0')!.value as Uint8Array).toString());
    expect(info).toEqual({
      title: 'tracker',
      version: '1.1',
      checksum: createHash('sha256').update(BINARY).digest('hex'),
      dataSize: 300,
      fileName: 'tracker-1.1.bin',
    });
    expect(device.requests.filter((r) => r.path === '/5/0/0')).toHaveLength(0);
  });

  it('reports FAILED when the client tells nothing about its current firmware', async () => {
    const core = new FakeCore();
    core.endpoints.set('ep-1', { ...OTA_DEVICE, transportConfiguration: { type: 'LWM2M', observeAttr: {} } });
    const original = core.openSession.bind(core);
    core.openSession = (identity, listener) => {
      const session = original(identity, listener) as FakeSession;
      session.sharedAttributes = '{"fw_title":"tracker","fw_version":"1.1"}';
      return session;
    };
    const device = new FakeDevice();
    const server = new Lwm2mServer(core, { downlink: device, models: TEST_MODELS, log: core.log, requestTimeoutMs: 1000 });
    await server.handle({
      method: 'POST',
      path: ['rd'],
      query: ['ep=ep-1'],
      payload: Buffer.from(LINKS),
      peer: { address: '127.0.0.1', port: 1 },
    });
    await vi.waitFor(() => expect(states(core.session)).toEqual(['FAILED']));
  });
});

describe('software update through Object 9', () => {
  it('writes the binary to /9/0/2, executes Install once delivered, and reports DOWNLOADING → DOWNLOADED → UPDATED', async () => {
    const core = new FakeCore();
    core.endpoints.set('ep-1', {
      ...DEVICE,
      transportConfiguration: {
        type: 'LWM2M',
        observeAttr: { observe: ['/9_1.0/0/7', '/9_1.0/0/9'], telemetry: ['/9_1.0/0/0', '/9_1.0/0/1'], keyName: {} },
      },
    });
    const original = core.openSession.bind(core);
    core.openSession = (identity, listener) => {
      const session = original(identity, listener) as FakeSession;
      session.sharedAttributes = '{"sw_title":"app","sw_version":"2.0"}';
      session.otaPackage = {
        ...PACKAGE,
        package: { ...(PACKAGE as { package: object }).package, title: 'app', version: '2.0' },
      } as OtaPackageLookup;
      session.otaBinary = BINARY;
      return session;
    };
    const device = new FakeDevice();
    device.set('/9/0/0', 'STRING', 'app');
    device.set('/9/0/1', 'STRING', '1.0');
    device.set('/9/0/7', 'INTEGER', 0);
    device.set('/9/0/9', 'INTEGER', 0);
    device.onWritten = (path) => {
      if (path !== '/9/0/2') return;
      device.change('/9/0/7', 1);
      device.change('/9/0/7', 3);
    };
    device.onExecuted = (path) => {
      if (path === '/9/0/4') device.change('/9/0/9', 2);
    };
    const server = new Lwm2mServer(core, { downlink: device, models: TEST_MODELS, log: core.log, requestTimeoutMs: 1000 });
    await server.handle({
      method: 'POST',
      path: ['rd'],
      query: ['ep=ep-1', 'lwm2m=1.1'],
      payload: Buffer.from('</>;rt="oma.lwm2m";ct=110,</3>;ver=1.2,</3/0>,</9/0>'),
      peer: { address: '127.0.0.1', port: 1 },
    });
    const swStates = () => stateReports(core.session, 'sw_state').map((r) => r.state);
    await vi.waitFor(() => expect(swStates()).toContain('UPDATED'));
    expect(swStates()).toEqual(['DOWNLOADING', 'DOWNLOADED', 'UPDATED']);
    expect(device.values.get('/9/0/2')?.value).toEqual(BINARY);
    expect(device.executed.map((e) => e.path)).toEqual(['/9/0/4']);
  });
});
