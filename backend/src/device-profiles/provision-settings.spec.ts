import { describe, expect, it } from 'vitest';
import type { DeviceProfileDto } from './dto/device-profile.dto';
import { validateProvisionSettings } from './provision-settings';

const profile = (provisionType: string | undefined, provisionConfiguration?: unknown, provisionDeviceKey?: string): DeviceProfileDto => ({
  name: 'P',
  provisionType,
  provisionDeviceKey,
  profileData: { transportConfiguration: { type: 'DEFAULT' }, provisionConfiguration },
});

describe('device profile provisioning settings', () => {
  it('accepts a profile without provisioning, and complete provisioning settings', () => {
    expect(() => validateProvisionSettings(profile(undefined))).not.toThrow();
    expect(() => validateProvisionSettings(profile('DISABLED', { type: 'DISABLED', provisionDeviceSecret: null }))).not.toThrow();
    for (const type of ['ALLOW_CREATE_NEW_DEVICES', 'CHECK_PRE_PROVISIONED_DEVICES']) {
      expect(() => validateProvisionSettings(profile(type, { type, provisionDeviceSecret: 'secret' }, 'key'))).not.toThrow();
    }
    const chain = {
      type: 'X509_CERTIFICATE_CHAIN',
      provisionDeviceSecret: '-----BEGIN CERTIFICATE-----…',
      certificateRegExPattern: '(.*)',
    };
    expect(() => validateProvisionSettings(profile('X509_CERTIFICATE_CHAIN', chain))).not.toThrow();
  });

  it.each([
    [
      'a strategy without provisionConfiguration',
      profile('ALLOW_CREATE_NEW_DEVICES', undefined, 'key'),
      /needs profileData.provisionConfiguration/,
    ],
    [
      'types that disagree',
      profile('ALLOW_CREATE_NEW_DEVICES', { type: 'CHECK_PRE_PROVISIONED_DEVICES', provisionDeviceSecret: 's' }, 'key'),
      /must be the same/,
    ],
    ['an unknown configuration type', profile('DISABLED', { type: 'MAGIC' }), /must be one of DISABLED/],
    [
      'a missing key',
      profile('CHECK_PRE_PROVISIONED_DEVICES', { type: 'CHECK_PRE_PROVISIONED_DEVICES', provisionDeviceSecret: 's' }),
      /needs a provisionDeviceKey/,
    ],
    [
      'a blank secret',
      profile('ALLOW_CREATE_NEW_DEVICES', { type: 'ALLOW_CREATE_NEW_DEVICES', provisionDeviceSecret: ' ' }, 'key'),
      /needs a provisionDeviceSecret/,
    ],
    ['a secret that is not text', profile('DISABLED', { type: 'DISABLED', provisionDeviceSecret: 42 }), /must be a string/],
    [
      'a certificate chain without certificate',
      profile('X509_CERTIFICATE_CHAIN', { type: 'X509_CERTIFICATE_CHAIN' }),
      /needs the CA certificate/,
    ],
  ])('refuses %s with a 400 that says what to send', (_case, dto, reason) => {
    expect(() => validateProvisionSettings(dto)).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(reason) }));
  });
});
