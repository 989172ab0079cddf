import type { MsgType, ProvisionResponse } from '@edgewise/plugin-api';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { NULL_UUID } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { CredentialsInput, generateAccessToken, normalizeCredentials } from '../devices/device-credentials.rules';
import { insertDeviceWithCredentials, StoredCredentials } from '../devices/device-creation';
import { DeviceEvents } from '../devices/device-events';
import { DeviceCredentialsEntity, DeviceEntity } from '../devices/device.entity';
import { deviceJson } from '../devices/device.json';
import { ApiError } from '../errors/api-error';
import { CoreMessages } from '../rule-engine/core-messages';
import { AttributesService } from '../telemetry/attributes.service';
import { asksForOwnCredentials, parseProvisionRequest, ProvisionRequest, provisionRequestJson } from './provision-request';
import { FAILURE, NOT_FOUND, success } from './provision-response';

/** SERVER_SCOPE attribute a provisioned device gets, and its value (ThingsBoard's DeviceProvisionServiceImpl). */
export const PROVISION_STATE = 'provisionState';
export const PROVISIONED = 'provisioned';

const DEVICE_NAME_MAX = 255;

/**
 * Device provisioning (device-api.md §1.11): a device that knows a device profile's provision key and secret
 * gets credentials — a new device (ALLOW_CREATE_NEW_DEVICES) or a device an administrator prepared
 * (CHECK_PRE_PROVISIONED_DEVICES). The checks run in ThingsBoard's order, and the rule engine hears about it
 * as in ThingsBoard: ENTITY_CREATED and PROVISION_SUCCESS / PROVISION_FAILURE on the tenant's root chain.
 */
@Injectable()
export class ProvisioningService {
  private readonly logger = new Logger('Provisioning');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(DeviceProfileEntity) private readonly profiles: Repository<DeviceProfileEntity>,
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @InjectRepository(DeviceCredentialsEntity) private readonly credentials: Repository<DeviceCredentialsEntity>,
    private readonly attributes: AttributesService,
    private readonly messages: CoreMessages,
    private readonly events: DeviceEvents,
  ) {}

  /** The answer for the request as the device sent it; a malformed request rejects with PayloadError. */
  async provision(payload: string): Promise<ProvisionResponse> {
    const request = parseProvisionRequest(payload);
    // A name that is present but blank fails before the key and secret are looked at (§1.11.3).
    const deviceName = request.deviceName.trim();
    if (request.deviceName !== '' && deviceName === '') return FAILURE;
    const { provisionDeviceKey: key, provisionDeviceSecret: secret } = request;
    if (key === '' || secret === '') return NOT_FOUND;
    const profile = await this.profiles.findOneBy({ provisionDeviceKey: key });
    const profileSecret: unknown = profile?.profileData?.provisionConfiguration?.provisionDeviceSecret;
    if (!profile || typeof profileSecret !== 'string' || profileSecret !== secret) return NOT_FOUND;
    switch (profile.provisionType) {
      case 'ALLOW_CREATE_NEW_DEVICES':
        return this.createDevice({ ...request, deviceName }, profile);
      case 'CHECK_PRE_PROVISIONED_DEVICES':
        return this.provisionExisting({ ...request, deviceName }, profile);
      default:
        // DISABLED, and X509_CERTIFICATE_CHAIN, which only provisions during the TLS handshake (§1.11.4).
        return NOT_FOUND;
    }
  }

  private async createDevice(request: ProvisionRequest, profile: DeviceProfileEntity): Promise<ProvisionResponse> {
    if (request.deviceName !== '') {
      const existing = await this.devices.findOneBy({ tenantId: profile.tenantId, name: request.deviceName });
      if (existing) return this.refuse(existing, request, 'a device with this name exists already');
    }
    // Without a name the device gets 20 random alphanumerics, the shape of a generated access token.
    const named: ProvisionRequest = { ...request, deviceName: request.deviceName || generateAccessToken() };
    if (named.deviceName.length > DEVICE_NAME_MAX) return this.fail(named, `the device name is longer than ${DEVICE_NAME_MAX} characters`);
    let credentials: StoredCredentials;
    try {
      credentials = normalizeCredentials(requestedCredentials(named));
    } catch (e) {
      if (e instanceof ApiError) return this.fail(named, e.message);
      throw e;
    }
    let device: DeviceEntity;
    let stored: DeviceCredentialsEntity;
    try {
      // Device and credentials are written together: a refused credential leaves no device behind.
      ({ device, credentials: stored } = await this.db.transaction((tx) =>
        insertDeviceWithCredentials(
          tx,
          {
            tenantId: profile.tenantId,
            customerId: NULL_UUID,
            name: named.deviceName,
            type: profile.name,
            deviceProfileId: profile.id,
            additionalInfo: named.gateway ? { gateway: true } : {},
          },
          credentials,
        ),
      ));
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // Another request took the name meanwhile, or another device has these credentials.
      const clash = await this.devices.findOneBy({ tenantId: profile.tenantId, name: named.deviceName });
      if (clash) return this.refuse(clash, named, 'a device with this name was created meanwhile');
      return this.fail(named, 'another device has these credentials already');
    }
    this.events.emit('created', device.id);
    await this.markProvisioned(device);
    await this.tell('ENTITY_CREATED', device, JSON.stringify(deviceJson(device)));
    await this.tell('PROVISION_SUCCESS', device, provisionRequestJson(named));
    return success(stored);
  }

  private async provisionExisting(request: ProvisionRequest, profile: DeviceProfileEntity): Promise<ProvisionResponse> {
    const device =
      request.deviceName === '' ? null : await this.devices.findOneBy({ tenantId: profile.tenantId, name: request.deviceName });
    if (!device || device.deviceProfileId !== profile.id)
      return this.fail(request, 'no pre-provisioned device of this name in the profile');
    const [state] = await this.attributes.find(device.id, 'SERVER_SCOPE', [PROVISION_STATE]);
    if (state?.value === PROVISIONED) return this.refuse(device, request, 'the device is provisioned already');
    if (state) return this.fail(request, `its SERVER_SCOPE attribute ${PROVISION_STATE} has the unknown value ${String(state.value)}`);
    const credentials = await this.credentials.findOneBy({ deviceId: device.id });
    if (!credentials) return this.fail(request, 'the device has no credentials');
    await this.markProvisioned(device);
    await this.tell('PROVISION_SUCCESS', device, provisionRequestJson(request));
    return success(credentials);
  }

  /** FAILURE about an existing device: the rule engine gets PROVISION_FAILURE, as in ThingsBoard. */
  private async refuse(device: DeviceEntity, request: ProvisionRequest, why: string): Promise<ProvisionResponse> {
    await this.tell('PROVISION_FAILURE', device, provisionRequestJson(request));
    return this.fail(request, why);
  }

  private fail(request: ProvisionRequest, why: string): ProvisionResponse {
    this.logger.warn(`provisioning of device "${request.deviceName}" failed: ${why}`);
    return FAILURE;
  }

  private markProvisioned(device: DeviceEntity): Promise<void> {
    return this.attributes.save(device.id, 'SERVER_SCOPE', [{ key: PROVISION_STATE, type: 'STRING', value: PROVISIONED }]);
  }

  /**
   * A message about the device on the tenant's root chain and the Main queue, metadata `tenantId` only — how
   * ThingsBoard's provisioning service sends it. The provisioning itself is done: a queue failure is logged.
   */
  private async tell(type: MsgType, device: DeviceEntity, data: string): Promise<void> {
    try {
      await this.messages.submit(device.tenantId, {
        type,
        originator: { entityType: 'DEVICE', id: device.id },
        customerId: device.customerId,
        metadata: { tenantId: device.tenantId },
        data,
      });
    } catch (e) {
      this.logger.warn(
        `${type} of device ${device.id} not queued, so no rule chain sees it (the provisioning itself is saved): ${(e as Error).message}`,
      );
    }
  }
}

/** The credentials the device asked for, in the form the credentials rules validate (§1.11.2). */
function requestedCredentials(request: ProvisionRequest): CredentialsInput {
  if (!asksForOwnCredentials(request)) return { credentialsType: 'ACCESS_TOKEN', credentialsId: generateAccessToken() };
  switch (request.credentialsType) {
    case 'ACCESS_TOKEN':
      return { credentialsType: 'ACCESS_TOKEN', credentialsId: request.token };
    case 'MQTT_BASIC':
      return {
        credentialsType: 'MQTT_BASIC',
        credentialsValue: JSON.stringify({ clientId: request.clientId, userName: request.username, password: request.password }),
      };
    case 'X509_CERTIFICATE':
      return { credentialsType: 'X509_CERTIFICATE', credentialsValue: request.hash };
    case 'LWM2M_CREDENTIALS':
      return { credentialsType: 'LWM2M_CREDENTIALS' };
  }
}
