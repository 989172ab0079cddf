import type { AuthResult, DeviceCredentialsRequest, DeviceIdentity } from '@edgewise/plugin-api';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { mqttBasicCredentialsId, MqttBasicValue, trimCertificate, x509CredentialsId } from '../devices/device-credentials.rules';
import { DeviceCredentialsEntity, DeviceEntity } from '../devices/device.entity';

const refuse = (failure: 'NOT_FOUND' | 'BAD_CREDENTIALS', reason: string): AuthResult => ({ ok: false, failure, reason });

/**
 * Turns what a device presented into the device it is, with ThingsBoard's lookup order for MQTT
 * (device-api.md §1.2): exact MQTT-basic match first, then the username as an access token or a
 * username-only MQTT-basic credential.
 */
@Injectable()
export class DeviceAuthenticator {
  private readonly logger = new Logger('DeviceAuth');

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async authenticate(request: DeviceCredentialsRequest): Promise<AuthResult> {
    try {
      switch (request.type) {
        case 'ACCESS_TOKEN':
          return await this.byAccessToken(request.token);
        case 'X509_CERTIFICATE':
          return await this.byCertificate(request.certificate);
        case 'MQTT_BASIC':
          return await this.byMqttBasic(request.clientId ?? '', request.username ?? '', request.password ?? '');
      }
    } catch (e) {
      this.logger.error(`credentials lookup failed: ${(e as Error).message}`);
      return { ok: false, failure: 'UNAVAILABLE', reason: 'The server could not check the credentials; retry later.' };
    }
  }

  private async byAccessToken(token: string): Promise<AuthResult> {
    const creds = await this.find(token);
    if (creds?.credentialsType !== 'ACCESS_TOKEN') return refuse('NOT_FOUND', 'Unknown access token');
    return this.accept(creds);
  }

  private async byCertificate(certificate: string): Promise<AuthResult> {
    const creds = await this.find(x509CredentialsId(trimCertificate(certificate)));
    if (creds?.credentialsType !== 'X509_CERTIFICATE') return refuse('NOT_FOUND', 'No device has this certificate');
    return this.accept(creds);
  }

  private async byMqttBasic(clientId: string, username: string, password: string): Promise<AuthResult> {
    if (!username) {
      const creds = await this.find(mqttBasicCredentialsId({ clientId }));
      if (creds?.credentialsType !== 'MQTT_BASIC') return refuse('NOT_FOUND', 'Unknown client id');
      return this.matchBasic(creds, clientId, username, password);
    }
    if (clientId) {
      const exact = await this.find(mqttBasicCredentialsId({ clientId, userName: username }));
      if (exact?.credentialsType === 'MQTT_BASIC') {
        const stored = JSON.parse(exact.credentialsValue ?? '{}') as MqttBasicValue;
        // Same client id and user name: the password decides, with no fallback (device-api.md §1.2).
        if ((stored.clientId ?? '') === clientId && (stored.userName ?? '') === username)
          return this.matchBasic(exact, clientId, username, password);
      }
    }
    const byUsername = await this.find(username);
    if (byUsername?.credentialsType === 'ACCESS_TOKEN') return this.accept(byUsername);
    if (byUsername?.credentialsType === 'MQTT_BASIC') return this.matchBasic(byUsername, clientId, username, password);
    return refuse('NOT_FOUND', 'Unknown credentials');
  }

  /** A stored non-empty field must equal the presented one; an empty stored password accepts any. */
  private matchBasic(
    creds: DeviceCredentialsEntity,
    clientId: string,
    username: string,
    password: string,
  ): Promise<AuthResult> | AuthResult {
    const stored = JSON.parse(creds.credentialsValue ?? '{}') as MqttBasicValue;
    if (stored.clientId && stored.clientId !== clientId) return refuse('NOT_FOUND', 'Client id does not match');
    if (stored.userName && stored.userName !== username) return refuse('NOT_FOUND', 'User name does not match');
    if (stored.password && stored.password !== password) return refuse('BAD_CREDENTIALS', 'Wrong password');
    return this.accept(creds);
  }

  private find(credentialsId: string): Promise<DeviceCredentialsEntity | null> {
    return this.db.getRepository(DeviceCredentialsEntity).findOneBy({ credentialsId });
  }

  private async accept(creds: DeviceCredentialsEntity): Promise<AuthResult> {
    const device = await this.db.getRepository(DeviceEntity).findOneBy({ id: creds.deviceId });
    if (!device) return refuse('NOT_FOUND', 'Device no longer exists');
    const profile = await this.db.getRepository(DeviceProfileEntity).findOneBy({ id: device.deviceProfileId });
    return { ok: true, device: identityOf(device, profile) };
  }
}

export function identityOf(device: DeviceEntity, profile: DeviceProfileEntity | null): DeviceIdentity {
  return {
    deviceId: device.id,
    deviceName: device.name,
    deviceType: device.type,
    deviceProfileId: device.deviceProfileId,
    tenantId: device.tenantId,
    customerId: device.customerId,
    transportType: profile?.transportType ?? 'DEFAULT',
    transportConfiguration: profile?.profileData?.transportConfiguration,
    isGateway: device.additionalInfo?.gateway === true,
  };
}
