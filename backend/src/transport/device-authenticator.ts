import type { AuthResult, DeviceCredentialsRequest, DeviceIdentity } from '@edgewise/plugin-api';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { mqttBasicCredentialsId, MqttBasicValue, trimCertificate, x509CredentialsId } from '../devices/device-credentials.rules';
import { DeviceCredentialsEntity, DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import type { Lwm2mClientCredential } from '../devices/lwm2m-credentials.rules';

const refuse = (failure: 'NOT_FOUND' | 'BAD_CREDENTIALS', reason: string): AuthResult => ({ ok: false, failure, reason });

/**
 * Turns what a device presented into the device it is, with ThingsBoard's lookup order for MQTT
 * (device-api.md §1.2): exact MQTT-basic match first, then the username as an access token or a
 * username-only MQTT-basic credential.
 */
/** Cached lookups expire after this long, so a renamed or re-typed device profile shows up without an event. */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 100_000;

interface Cached<T> {
  value: T;
  expires: number;
}

@Injectable()
export class DeviceAuthenticator implements OnModuleDestroy {
  private readonly logger = new Logger('DeviceAuth');
  /**
   * Found credentials and device identities, so that the HTTP device API (one authentication per request)
   * and reconnect storms do not query the database each time. Entries of a device are dropped the moment
   * it is deleted, updated or its credentials change; misses are never cached, so a new device works at once.
   */
  private readonly credentialsCache = new Map<string, Cached<DeviceCredentialsEntity>>();
  private readonly identityCache = new Map<string, Cached<DeviceIdentity>>();
  /** A device has one credential: which cache key holds it, so forgetting a device costs no scan. */
  private readonly credentialsIdOfDevice = new Map<string, string>();
  private readonly forget = (deviceId: string) => this.forgetDevice(deviceId);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deviceEvents: DeviceEvents,
  ) {
    for (const event of ['deleted', 'credentialsChanged', 'updated'] as const) deviceEvents.on(event, this.forget);
  }

  onModuleDestroy(): void {
    for (const event of ['deleted', 'credentialsChanged', 'updated'] as const) this.deviceEvents.off(event, this.forget);
  }

  async authenticate(request: DeviceCredentialsRequest): Promise<AuthResult> {
    try {
      switch (request.type) {
        case 'ACCESS_TOKEN':
          return await this.byAccessToken(request.token);
        case 'X509_CERTIFICATE':
          return await this.byCertificate(request.certificate);
        case 'MQTT_BASIC':
          return await this.byMqttBasic(request.clientId ?? '', request.username ?? '', request.password ?? '');
        case 'LWM2M_CREDENTIALS':
          return await this.byLwm2mEndpoint(request.endpoint);
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

  /** A NoSec registration (device-api.md §6.1): the endpoint is the lookup key, and the device must allow NoSec. */
  private async byLwm2mEndpoint(endpoint: string): Promise<AuthResult> {
    const creds = await this.find(endpoint);
    if (creds?.credentialsType !== 'LWM2M_CREDENTIALS') return refuse('NOT_FOUND', `No device has LwM2M endpoint ${endpoint}`);
    const mode = (JSON.parse(creds.credentialsValue ?? '{}') as { client?: Lwm2mClientCredential }).client?.securityConfigClientMode;
    if (mode !== 'NO_SEC')
      return refuse(
        'BAD_CREDENTIALS',
        `Endpoint ${endpoint} is configured for security mode ${mode}: register over DTLS, or set its mode to NO_SEC`,
      );
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

  private async find(credentialsId: string): Promise<DeviceCredentialsEntity | null> {
    const cached = fresh(this.credentialsCache.get(credentialsId));
    if (cached) return cached;
    const creds = await this.db.getRepository(DeviceCredentialsEntity).findOneBy({ credentialsId });
    if (creds) {
      remember(this.credentialsCache, credentialsId, creds);
      this.credentialsIdOfDevice.set(creds.deviceId, credentialsId);
    }
    return creds;
  }

  private async accept(creds: DeviceCredentialsEntity): Promise<AuthResult> {
    const cached = fresh(this.identityCache.get(creds.deviceId));
    if (cached) return { ok: true, device: cached };
    const device = await this.db.getRepository(DeviceEntity).findOneBy({ id: creds.deviceId });
    if (!device) return refuse('NOT_FOUND', 'Device no longer exists');
    const profile = await this.db.getRepository(DeviceProfileEntity).findOneBy({ id: device.deviceProfileId });
    const identity = identityOf(device, profile);
    remember(this.identityCache, device.id, identity);
    return { ok: true, device: identity };
  }

  private forgetDevice(deviceId: string): void {
    this.identityCache.delete(deviceId);
    const credentialsId = this.credentialsIdOfDevice.get(deviceId);
    if (credentialsId !== undefined) this.credentialsCache.delete(credentialsId);
    this.credentialsIdOfDevice.delete(deviceId);
  }
}

const fresh = <T>(entry: Cached<T> | undefined): T | undefined => (entry && entry.expires > Date.now() ? entry.value : undefined);

function remember<T>(cache: Map<string, Cached<T>>, key: string, value: T): void {
  if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!); // oldest first
  cache.set(key, { value, expires: Date.now() + CACHE_TTL_MS });
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
