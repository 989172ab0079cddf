import type { Socket } from 'node:dgram';
import { PLAIN_DATAGRAMS, type DatagramChannel, type DatagramSecurity, type PeerIdentity } from '@edgewise/plugin-api';
import { afterEach, describe, expect, it } from 'vitest';
import { CoapTransport } from './coap-transport';
import { CoapHarness } from './test-support/coap-harness';
import { deviceIdentity, FakeCore } from './test-support/fake-core';

/** A stand-in security layer: passes datagrams through, claiming every peer proved `identity` (as DTLS would). */
function provingSecurity(identity: PeerIdentity): DatagramSecurity {
  return {
    name: 'test',
    wrap(socket: Socket): DatagramChannel {
      const plain = PLAIN_DATAGRAMS.wrap(socket);
      return {
        get local() {
          return plain.local;
        },
        onDatagram: (listener) => plain.onDatagram((datagram) => listener({ ...datagram, identity })),
        onError: (listener) => plain.onError(listener),
        send: (peer, data) => plain.send(peer, data),
        close: () => plain.close(),
      };
    },
  };
}

/** The datagram-security seam as the transport uses it (DTLS itself comes later). */
describe('CoAP transport over the datagram-security seam', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('identifies a device on token-less paths by the certificate its security layer proved', async () => {
    const certificate = 'MIIBdevicecertificatebody';
    const harness = new CoapHarness();
    harness.core.certificates.set(certificate, deviceIdentity({ deviceId: 'x509-device' }));
    harness.transport = new CoapTransport(
      harness.core,
      { host: '127.0.0.1', ports: { coap: 0 }, maxPayloadBytes: 1024, options: {} },
      provingSecurity({ kind: 'x509', certificate }),
    );
    await harness.transport.start();
    harness.port = harness.transport.boundPorts().coap;
    stops.push(() => harness.stop());

    expect((await harness.request('POST', '/api/v1/telemetry', { payload: '{"a":1}' }))?.code).toBe('2.01');
    expect(harness.core.authRequests).toEqual([{ type: 'X509_CERTIFICATE', certificate }]);
    expect(harness.core.sessions[0].device.deviceId).toBe('x509-device');
  });

  it('refuses token-less paths from an anonymous peer with 4.01', async () => {
    const harness = await new CoapHarness().start();
    stops.push(() => harness.stop());
    expect((await harness.request('POST', '/api/v1/attributes', { payload: '{"a":1}' }))?.code).toBe('4.01');
    expect(harness.core.authRequests).toEqual([]);
  });

  it('says clearly at start that coaps:// is not available yet when its port is configured, and serves coap://', async () => {
    const core = new FakeCore();
    const transport = new CoapTransport(core, { host: '127.0.0.1', ports: { coap: 0, coaps: 5684 }, maxPayloadBytes: 1024, options: {} });
    await transport.start();
    stops.push(() => transport.stop());
    const warning = core.logEntries.find((entry) => entry.level === 'warn');
    expect(warning?.message).toMatch(/DTLS \(coaps:\/\/, port 5684\) is not available yet.*unset COAPS_PORT/);
    expect(Object.keys(transport.boundPorts())).toEqual(['coap']);
  });

  it('refuses to start on a port that is taken, naming it', async () => {
    const first = await new CoapHarness().start();
    stops.push(() => first.stop());
    const second = new CoapTransport(new FakeCore(), {
      host: '127.0.0.1',
      ports: { coap: first.port },
      maxPayloadBytes: 1024,
      options: {},
    });
    await expect(second.start()).rejects.toThrow(`cannot listen on UDP 127.0.0.1:${first.port}`);
  });
});
