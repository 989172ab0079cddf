import { readFileSync } from 'node:fs';
import { TEST_TOKEN, testDeviceIdentity, until } from '@edgewise/plugin-api/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, connectClient, connectRefusal, RawClient, startTransport, type Harness } from './test-support/mqtt-harness';
import { createTestPki, type TestPki } from './test-support/test-pki';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.remove());
afterEach(cleanUp);

async function startTls(): Promise<Harness & { tlsPort: number }> {
  const harness = await startTransport({
    ports: { mqtt: 0, mqtts: 0 },
    tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, caFile: pki.caFile },
  });
  return { ...harness, tlsPort: harness.transport.boundPorts().mqtts };
}

const tlsOptions = (port: number) => ({ protocol: 'mqtts' as const, host: '127.0.0.1', port, ca: readFileSync(pki.caFile) });

describe('MQTT over TLS (§1.1, §1.2)', () => {
  it('listens on mqtts only when TLS is configured', async () => {
    const { transport } = await startTransport({ ports: { mqtt: 0, mqtts: 0 } });
    expect(Object.keys(transport.boundPorts())).toEqual(['mqtt']);
  });

  it('accepts token authentication on the TLS port without a client certificate', async () => {
    const { core, tlsPort } = await startTls();
    const client = await connectClient(tlsPort, tlsOptions(tlsPort));
    await client.publishAsync('v1/devices/me/telemetry', '{"secure":true}', { qos: 1 });
    expect(core.authRequests).toEqual([{ type: 'MQTT_BASIC', clientId: expect.any(String), username: TEST_TOKEN }]);
    expect(core.telemetry).toEqual(['{"secure":true}']);
  });

  it('authenticates a presented client certificate by its Base64 body, ignoring the username', async () => {
    const { core, tlsPort } = await startTls();
    core.certificates.set(pki.device.body, testDeviceIdentity({ deviceId: 'x509-device' }));
    await connectClient(tlsPort, { ...tlsOptions(tlsPort), username: 'ignored', cert: pki.device.cert, key: pki.device.key });
    expect(core.authRequests).toEqual([{ type: 'X509_CERTIFICATE', certificate: pki.device.body }]);
    await until(() => core.sessions.length === 1);
    expect(core.session.device.deviceId).toBe('x509-device');
  });

  it('refuses an unknown certificate with MQTT 5 0x87 (3.1.1: 5)', async () => {
    const { tlsPort } = await startTls();
    const certificate = { cert: pki.device.cert, key: pki.device.key };
    expect((await connectRefusal(tlsPort, { ...tlsOptions(tlsPort), ...certificate, protocolVersion: 5 })).code).toBe(0x87);
    expect((await connectRefusal(tlsPort, { ...tlsOptions(tlsPort), ...certificate })).code).toBe(5);
  });

  it('stops promptly even with a TLS handshake left hanging', async () => {
    const { transport, tlsPort } = await startTls();
    const hanging = await RawClient.open(tlsPort); // plain TCP: the TLS handshake never completes
    const started = Date.now();
    await transport.stop();
    expect(Date.now() - started).toBeLessThan(10_000); // not the 120 s TLS handshake timeout
    expect(await hanging.closedWithin()).toBe(true);
  });

  it('refuses an expired certificate without asking the core', async () => {
    const { core, tlsPort } = await startTls();
    core.certificates.set(pki.expiredDevice.body, testDeviceIdentity());
    const refusal = await connectRefusal(tlsPort, {
      ...tlsOptions(tlsPort),
      cert: pki.expiredDevice.cert,
      key: pki.expiredDevice.key,
      protocolVersion: 5,
    });
    expect(refusal.code).toBe(0x87);
    expect(core.authRequests).toEqual([]);
  });
});
