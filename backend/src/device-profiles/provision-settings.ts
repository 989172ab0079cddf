import { ApiError } from '../errors/api-error';
import { PROVISION_TYPES, ProvisionType } from './device-profile.entity';
import type { DeviceProfileDto } from './dto/device-profile.dto';

const example = (type: string) =>
  `e.g. "provisionType":"${type}","provisionDeviceKey":"u7piawkboq8v32dmcmpp",` +
  `"profileData":{…,"provisionConfiguration":{"type":"${type}","provisionDeviceSecret":"jpmwdn8ptlswmf4m29bw"}}`;

/**
 * The provisioning settings of a device profile (device-api.md §1.11.4, rest-api.md §1.3) must be usable:
 * the top-level `provisionType` and `profileData.provisionConfiguration.type` agree, and a strategy that
 * devices provision through has its key and secret. (The reference stores any combination; a profile that
 * cannot provision would then answer every device NOT_FOUND without saying why.)
 */
export function validateProvisionSettings(dto: DeviceProfileDto): void {
  const type = (dto.provisionType ?? 'DISABLED') as ProvisionType;
  const configuration: unknown = dto.profileData?.provisionConfiguration;
  if (configuration === undefined || configuration === null) {
    if (type === 'DISABLED') return;
    throw ApiError.badRequest(`Provision type ${type} needs profileData.provisionConfiguration with its secret; ${example(type)}`);
  }
  if (typeof configuration !== 'object' || Array.isArray(configuration)) {
    throw ApiError.badRequest(`profileData.provisionConfiguration must be an object; ${example(type)}`);
  }
  const { type: configurationType, provisionDeviceSecret: secret } = configuration as Record<string, unknown>;
  if (!(PROVISION_TYPES as readonly unknown[]).includes(configurationType)) {
    throw ApiError.badRequest(`profileData.provisionConfiguration.type must be one of ${PROVISION_TYPES.join(', ')}`);
  }
  if (configurationType !== type) {
    throw ApiError.badRequest(
      `provisionType (${type}) and profileData.provisionConfiguration.type (${String(configurationType)}) must be the same`,
    );
  }
  if (secret !== undefined && secret !== null && typeof secret !== 'string') {
    throw ApiError.badRequest('profileData.provisionConfiguration.provisionDeviceSecret must be a string');
  }
  const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
  switch (type) {
    case 'ALLOW_CREATE_NEW_DEVICES':
    case 'CHECK_PRE_PROVISIONED_DEVICES':
      if (blank(dto.provisionDeviceKey)) throw ApiError.badRequest(`Provision type ${type} needs a provisionDeviceKey; ${example(type)}`);
      if (blank(secret)) throw ApiError.badRequest(`Provision type ${type} needs a provisionDeviceSecret; ${example(type)}`);
      return;
    case 'X509_CERTIFICATE_CHAIN':
      if (blank(secret)) {
        throw ApiError.badRequest(
          'Provision type X509_CERTIFICATE_CHAIN needs the CA certificate (PEM) in profileData.provisionConfiguration.provisionDeviceSecret',
        );
      }
      return;
    case 'DISABLED':
      return;
  }
}

/** The message for a provision key another profile (of any tenant) has already, as the reference words it. */
export const provisionKeyTakenMessage = (type: string | null | undefined): string =>
  type === 'X509_CERTIFICATE_CHAIN'
    ? 'Device profile with such certificate already exists!'
    : 'Device profile with such provision device key already exists!';
