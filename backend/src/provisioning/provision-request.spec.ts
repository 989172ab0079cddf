import { PayloadError } from '@edgewise/plugin-api';
import { describe, expect, it } from 'vitest';
import { asksForOwnCredentials, parseProvisionRequest, provisionRequestJson } from './provision-request';

const KEYS = '"provisionDeviceKey":"k","provisionDeviceSecret":"s"';

describe('provisioning request (device-api.md §1.11.2)', () => {
  it('reads every field, absent text as "" and credentialsType ACCESS_TOKEN by default', () => {
    expect(parseProvisionRequest(`{${KEYS}}`)).toEqual({
      deviceName: '',
      credentialsType: 'ACCESS_TOKEN',
      token: '',
      clientId: '',
      username: '',
      password: '',
      hash: '',
      provisionDeviceKey: 'k',
      provisionDeviceSecret: 's',
      gateway: false,
    });
    const full = parseProvisionRequest(
      `{${KEYS},"deviceName":" D1 ","credentialsType":"MQTT_BASIC","clientId":"c","username":"u","password":"p","gateway":true}`,
    );
    expect(full).toMatchObject({
      deviceName: ' D1 ',
      credentialsType: 'MQTT_BASIC',
      clientId: 'c',
      username: 'u',
      password: 'p',
      gateway: true,
    });
  });

  it('takes numbers and booleans as text, as Gson does, and keeps empty key and secret for a NOT_FOUND answer', () => {
    expect(parseProvisionRequest('{"provisionDeviceKey":"","provisionDeviceSecret":"","token":12345}')).toMatchObject({
      provisionDeviceKey: '',
      provisionDeviceSecret: '',
      token: '12345',
    });
  });

  it.each([
    ['text that is not JSON', 'not json', /Invalid JSON/],
    ['a JSON array', `[{${KEYS}}]`, /must be a JSON object/],
    ['no provisionDeviceKey', '{"provisionDeviceSecret":"s"}', /no "provisionDeviceKey"/],
    ['no provisionDeviceSecret', '{"provisionDeviceKey":"k"}', /no "provisionDeviceSecret"/],
    ['an unknown credentialsType', `{${KEYS},"credentialsType":"PASSWORD"}`, /credentialsType" must be one of ACCESS_TOKEN/],
    ['a null credentialsType', `{${KEYS},"credentialsType":null}`, /must be a string/],
    ['a gateway flag that is not a boolean', `{${KEYS},"gateway":"yes"}`, /"gateway" .* must be true or false/],
    ['an object as token', `{${KEYS},"token":{"a":1}}`, /"token" .* must be a string/],
  ])('refuses %s as malformed (PayloadError)', (_case, payload, reason) => {
    expect(() => parseProvisionRequest(payload)).toThrow(PayloadError);
    expect(() => parseProvisionRequest(payload)).toThrow(reason);
  });

  it('knows whether the device asked for credentials of its own', () => {
    expect(asksForOwnCredentials(parseProvisionRequest(`{${KEYS},"credentialsType":"MQTT_BASIC"}`))).toBe(false);
    expect(asksForOwnCredentials(parseProvisionRequest(`{${KEYS},"password":"p"}`))).toBe(true);
  });

  it('renders the request as ThingsBoard’s ProvisionRequest JSON for the rule engine', () => {
    const request = parseProvisionRequest(`{${KEYS},"deviceName":"D1","token":"T1","gateway":true}`);
    expect(JSON.parse(provisionRequestJson(request))).toEqual({
      deviceName: 'D1',
      credentialsType: 'ACCESS_TOKEN',
      credentialsData: { token: 'T1', clientId: '', username: '', password: '', x509CertHash: '' },
      credentials: { provisionDeviceKey: 'k', provisionDeviceSecret: 's' },
      gateway: true,
    });
  });
});
