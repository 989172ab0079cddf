import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, TestPki } from '../plugins/transport-mqtt/src/test-support/test-pki';
import { connectMqtt, refusalCode } from './support/mqtt-client';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import { latestOnceStored } from './support/rest-checks';

const run = promisify(execFile);

/** MQTT over TLS on the MQTTS port with a test CA made at test time, and X.509 device authentication. */
describe('MQTT over TLS with X.509 devices', () => {
  let pki: TestPki;
  let files: string;
  let product: Product;
  let rest: RestClient;
  let tlsPort: number;
  let x509Device: string;

  beforeAll(async () => {
    pki = createTestPki();
    files = mkdtempSync(join(tmpdir(), 'edgewise-e2e-tls-'));
    writeFileSync(join(files, 'device.pem'), pki.device.cert);
    writeFileSync(join(files, 'device.key'), pki.device.key);
    product = await startProduct({
      MQTT_TLS_CERT_FILE: pki.serverCertFile,
      MQTT_TLS_KEY_FILE: pki.serverKeyFile,
      MQTT_TLS_CA_FILE: pki.caFile,
    });
    rest = await restClient(product.url);
    tlsPort = product.ports.mqtt.mqtts;
    const created = await rest.request('POST', '/api/device-with-credentials', {
      device: { name: 'x509-device' },
      credentials: { credentialsType: 'X509_CERTIFICATE', credentialsValue: pki.device.cert.toString() },
    });
    expect(created.status).toBe(200);
    x509Device = created.body.id.id;
  });
  afterAll(async () => {
    await product?.stop();
    pki?.remove();
    rmSync(files, { recursive: true, force: true });
  });

  /** mosquitto_pub telemetry over TLS (QoS 1), trusting the test CA; `credentials`: certificate or username args. */
  const publishOverTls = (message: string, credentials: string[]) =>
    run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(tlsPort),
      '--cafile',
      pki.caFile,
      ...credentials,
      '-q',
      '1',
      '-t',
      'v1/devices/me/telemetry',
      '-m',
      message,
    ]);

  it('listens on the MQTTS port only because a certificate is configured', () => {
    expect(Object.keys(product.ports.mqtt).sort()).toEqual(['mqtt', 'mqtts']);
  });

  it('authenticates a device by its client certificate (mosquitto_pub --cert/--key)', async () => {
    await publishOverTls('{"secure":1}', ['--cert', join(files, 'device.pem'), '--key', join(files, 'device.key')]);
    expect((await latestOnceStored(rest, x509Device, 'secure')).secure[0].value).toBe('1');
  });

  it('authenticates the same certificate with mqtt.js, ignoring any username', async () => {
    const client = await connectMqtt(tlsPort, {
      protocol: 'mqtts',
      ca: readFileSync(pki.caFile),
      cert: pki.device.cert,
      key: pki.device.key,
      username: 'ignored',
    });
    await client.publishAsync('v1/devices/me/telemetry', '{"viaMqttJs":2}', { qos: 1 });
    client.end(true);
    expect((await latestOnceStored(rest, x509Device, 'viaMqttJs')).viaMqttJs[0].value).toBe('2');
  });

  it('accepts access tokens over TLS without a client certificate', async () => {
    const tokenDevice = (await rest.createDevice('tls-token-device', 'TLS_TOKEN')).id.id;
    await publishOverTls('{"t":3}', ['-u', 'TLS_TOKEN']);
    expect((await latestOnceStored(rest, tokenDevice, 't')).t[0].value).toBe('3');
  });

  it('refuses a certificate no device has, and an expired one', async () => {
    await rest.request('DELETE', `/api/device/${x509Device}`);
    const tls = { protocol: 'mqtts' as const, ca: readFileSync(pki.caFile) };
    expect(await refusalCode(tlsPort, { ...tls, cert: pki.device.cert, key: pki.device.key })).toBe(5);
    expect(await refusalCode(tlsPort, { ...tls, cert: pki.expiredDevice.cert, key: pki.expiredDevice.key, protocolVersion: 5 })).toBe(0x87);
  });
});
