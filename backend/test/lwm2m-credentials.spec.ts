import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';

const NO_SEC_BOOTSTRAP = { bootstrapServer: { securityMode: 'NO_SEC' }, lwm2mServer: { securityMode: 'NO_SEC' } };
const PSK_KEY = '0123456789ABCDEF0123456789ABCDEF';
const lwm2m = (client: object, bootstrap: object = NO_SEC_BOOTSTRAP) => ({
  credentialsType: 'LWM2M_CREDENTIALS',
  credentialsValue: JSON.stringify({ client, bootstrap }),
});
const ecKeys = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
};

/** LwM2M device credentials as ThingsBoard stores and checks them (device-api.md §0.4, §6.1). */
describe('LwM2M credentials', () => {
  let app: TestApp;
  let api: ApiClient;
  let auth: DeviceAuthenticator;

  const create = (name: string, credentials: object) => api.post('/api/device-with-credentials', { device: { name }, credentials });
  const credentialsOf = async (deviceId: string) => (await api.get(`/api/device/${deviceId}/credentials`)).body;

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
    auth = app.running.app.get(DeviceAuthenticator);
  });
  afterAll(() => app?.close());

  it('stores NO_SEC credentials under the endpoint, and a NoSec registration of that endpoint finds the device', async () => {
    const created = await create('lwm2m-nosec', lwm2m({ securityConfigClientMode: 'NO_SEC', endpoint: 'ep-nosec' }));
    expect(created.status).toBe(200);
    const creds = await credentialsOf(created.body.id.id);
    expect(creds).toMatchObject({ credentialsType: 'LWM2M_CREDENTIALS', credentialsId: 'ep-nosec' });
    expect(JSON.parse(creds.credentialsValue)).toEqual({
      client: { securityConfigClientMode: 'NO_SEC', endpoint: 'ep-nosec' },
      bootstrap: NO_SEC_BOOTSTRAP,
    });

    const found = await auth.authenticate({ type: 'LWM2M_CREDENTIALS', endpoint: 'ep-nosec' });
    expect(found).toMatchObject({ ok: true, device: { deviceName: 'lwm2m-nosec' } });
    expect(await auth.authenticate({ type: 'LWM2M_CREDENTIALS', endpoint: 'ep-unknown' })).toMatchObject({
      ok: false,
      failure: 'NOT_FOUND',
    });
  });

  it('keys PSK credentials by identity and refuses them for a NoSec registration', async () => {
    const created = await create(
      'lwm2m-psk',
      lwm2m({ securityConfigClientMode: 'PSK', endpoint: 'ep-psk', identity: 'psk-id', key: PSK_KEY }),
    );
    expect(created.status).toBe(200);
    expect((await credentialsOf(created.body.id.id)).credentialsId).toBe('psk-id');
    expect(await auth.authenticate({ type: 'LWM2M_CREDENTIALS', endpoint: 'psk-id' })).toMatchObject({
      ok: false,
      failure: 'BAD_CREDENTIALS',
    });
    // an access token equal to an endpoint is no LwM2M credential
    await api.post('/api/device?accessToken=token-like-endpoint', { name: 'token-device' });
    expect(await auth.authenticate({ type: 'LWM2M_CREDENTIALS', endpoint: 'token-like-endpoint' })).toMatchObject({ ok: false });
  });

  it('accepts RPK keys and X509 certificates of EC keys; X509 with a certificate is keyed by its SHA3-256', async () => {
    const rpk = await create('lwm2m-rpk', lwm2m({ securityConfigClientMode: 'RPK', endpoint: 'ep-rpk', key: ecKeys().publicKey }));
    expect(rpk.status).toBe(200);
    expect((await credentialsOf(rpk.body.id.id)).credentialsId).toBe('ep-rpk');

    const x509 = await create('lwm2m-x509', lwm2m({ securityConfigClientMode: 'X509', endpoint: 'ep-x509' }));
    expect(x509.status).toBe(200);
    expect((await credentialsOf(x509.body.id.id)).credentialsId).toBe('ep-x509');

    const serverKeys = ecKeys();
    const rpkBootstrap = { securityMode: 'RPK', clientPublicKeyOrId: serverKeys.publicKey, clientSecretKey: serverKeys.privateKey };
    const withRpkServers = await create(
      'lwm2m-rpk-servers',
      lwm2m(
        { securityConfigClientMode: 'NO_SEC', endpoint: 'ep-rpk-servers' },
        { bootstrapServer: rpkBootstrap, lwm2mServer: rpkBootstrap },
      ),
    );
    expect(withRpkServers.status).toBe(200);
  });

  it.each([
    ['not JSON', 'nope', 'Invalid credentials body for LwM2M credentials!'],
    ['no client', JSON.stringify({ bootstrap: NO_SEC_BOOTSTRAP }), 'LwM2M client credentials must be specified!'],
    [
      'unknown mode',
      JSON.stringify({ client: { securityConfigClientMode: 'NONE', endpoint: 'e' } }),
      'Invalid credentials body for LwM2M credentials!',
    ],
    [
      'blank endpoint',
      lwm2m({ securityConfigClientMode: 'NO_SEC', endpoint: ' ' }).credentialsValue,
      'LwM2M client endpoint must be specified!',
    ],
    [
      'no bootstrap',
      JSON.stringify({ client: { securityConfigClientMode: 'NO_SEC', endpoint: 'e' } }),
      'LwM2M bootstrap credentials must be specified!',
    ],
    [
      'no lwm2m server',
      JSON.stringify({
        client: { securityConfigClientMode: 'NO_SEC', endpoint: 'e' },
        bootstrap: { bootstrapServer: { securityMode: 'NO_SEC' } },
      }),
      'LwM2M lwm2m server credentials must be specified!',
    ],
    [
      'PSK identity NO_SEC',
      lwm2m({ securityConfigClientMode: 'PSK', endpoint: 'e', identity: 'NO_SEC', key: PSK_KEY }).credentialsValue,
      "The PSK ID of the LwM2M client must not be 'NO_SEC'!",
    ],
    [
      'PSK key not hex',
      lwm2m({ securityConfigClientMode: 'PSK', endpoint: 'e', identity: 'i', key: 'xyz' }).credentialsValue,
      'LwM2M client PSK key must be random sequence in hex encoding!',
    ],
    [
      'PSK key of 20 hex digits',
      lwm2m({ securityConfigClientMode: 'PSK', endpoint: 'e', identity: 'i', key: '0123456789abcdef0123' }).credentialsValue,
      'LwM2M client PSK key length = 20. Key must be HexDec format: 32, 64, 128 characters!',
    ],
    [
      'RPK key not a key',
      lwm2m({ securityConfigClientMode: 'RPK', endpoint: 'e', key: 'AAAA' }).credentialsValue,
      'LwM2M client RPK key must be in standard [RFC7250] and support only EC algorithm and then encoded to Base64 format!',
    ],
    [
      'bootstrap PSK without key',
      lwm2m(
        { securityConfigClientMode: 'NO_SEC', endpoint: 'e' },
        { bootstrapServer: { securityMode: 'PSK', clientPublicKeyOrId: 'bs' }, lwm2mServer: { securityMode: 'NO_SEC' } },
      ).credentialsValue,
      'Bootstrap server client PSK key must be specified!',
    ],
  ])('refuses %s with ThingsBoard’s message, changing nothing', async (_case, credentialsValue, message) => {
    const res = await create(`bad-${_case}`, { credentialsType: 'LWM2M_CREDENTIALS', credentialsValue });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(message);
    expect((await api.get(`/api/tenant/devices?deviceName=${encodeURIComponent(`bad-${_case}`)}`)).status).toBe(404);
  });

  it('X509 credentials with a client certificate are keyed by the SHA3-256 of the certificate body', async () => {
    // A self-signed EC (prime256v1) certificate made with openssl, Base64 DER.
    const cert = EC_CERT.replace(/\s/g, '');
    const created = await create('lwm2m-x509-cert', lwm2m({ securityConfigClientMode: 'X509', endpoint: 'ep-cert', cert }));
    expect(created.status).toBe(200);
    expect((await credentialsOf(created.body.id.id)).credentialsId).toBe(createHash('sha3-256').update(cert).digest('hex'));
  });
});

const EC_CERT = `
MIIBgDCCASegAwIBAgIUZiG52KVJ5c5Qp9IhyRgQsgpuC8YwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKbHdtMm0tdGVzdDAgFw0yNjExMjUxNDMyNDNaGA8yMTI2MTEw
MTE0MzI0M1owFTETMBEGA1UEAwwKbHdtMm0tdGVzdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABCi6kmKpkqEY/3XHGGeUseo4P6Mo9nhfUTSOZxm9I1NDk79TYrQa
ezT3sdUowdsyk7zdXPnud3fTSwg1JCn4fJujUzBRMB0GA1UdDgQWBBQOlRXz6Vx7
jYVt6c+8OKNVz1A+JzAfBgNVHSMEGDAWgBQOlRXz6Vx7jYVt6c+8OKNVz1A+JzAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIDC5WYVKZcrh/MI8SJIw
v/7ANi7S0eMZFODsOs6adT6LAiBfQu1tVPoFIXNj/HB/tbi3Zj12ICEK3+nymf4S
aOdfSg==`;
