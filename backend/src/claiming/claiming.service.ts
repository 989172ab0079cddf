import type { DeviceIdentity } from '@edgewise/plugin-api';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CustomersService } from '../customers/customers.service';
import { NULL_UUID } from '../database/ids';
import { DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import { ApiError } from '../errors/api-error';
import { CoreMessages } from '../rule-engine/core-messages';
import { AttributesService } from '../telemetry/attributes.service';
import { parseClaimRegistration } from './claim-request';
import { DeviceClaimEntity } from './device-claim.entity';

/** SERVER_SCOPE attribute that lets a device register for claiming when claiming is not allowed by default. */
export const CLAIMING_ALLOWED = 'claimingAllowed';
/** SERVER_SCOPE attribute with claim data an administrator set (`{"secretKey":…,"expirationTime":…}`), used when the device sent none. */
export const CLAIMING_DATA = 'claimingData';

/** ThingsBoard's ClaimResult: the response, and the device when the claim succeeded. */
export type ClaimResult = { response: 'SUCCESS'; device: DeviceEntity } | { response: 'FAILURE' | 'CLAIMED' };

interface ClaimData {
  secretKey: string;
  expirationTime: number;
  /** Registered by the device (our table), rather than set as the `claimingData` attribute. */
  registered: boolean;
}

const isUnassigned = (device: DeviceEntity) => device.customerId === NULL_UUID;

/**
 * Device claiming (device-api.md §1.10, §8.7), as ThingsBoard's ClaimDevicesServiceImpl: a device registers a
 * secret for a while, a customer user who knows it takes the device over, and a tenant administrator (or the
 * owning customer) gives it back ("reclaim").
 */
@Injectable()
export class ClaimingService implements OnModuleDestroy {
  private readonly logger = new Logger('Claiming');
  private readonly forgetDevice = (deviceId: string) =>
    void this.claims
      .delete({ deviceId })
      .catch((e: Error) => this.logger.warn(`claim registration of deleted device ${deviceId} not removed: ${e.message}`));

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @InjectRepository(DeviceClaimEntity) private readonly claims: Repository<DeviceClaimEntity>,
    private readonly attributes: AttributesService,
    private readonly customers: CustomersService,
    private readonly audit: AuditLogService,
    private readonly messages: CoreMessages,
    private readonly deviceEvents: DeviceEvents,
  ) {
    deviceEvents.on('deleted', this.forgetDevice);
  }

  onModuleDestroy(): void {
    this.deviceEvents.off('deleted', this.forgetDevice);
  }

  /**
   * A device's claim request. Rejects with PayloadError on bad input; a registration the rules refuse (the
   * device is assigned already, or claiming is not allowed for it) is logged and not reported to the device.
   * A newer registration replaces an older one.
   */
  async register(identity: DeviceIdentity, payload: string): Promise<void> {
    const { secretKey, durationMs } = parseClaimRegistration(payload);
    const device = await this.devices.findOneBy({ id: identity.deviceId });
    if (!device) return;
    if (!isUnassigned(device)) {
      this.logger.warn(`device ${device.name} (${device.id}) asked to be claimed but is already assigned to a customer`);
      return;
    }
    if (!this.config.claimAllowByDefault && !(await this.claimingAllowed(device.id))) {
      this.logger.warn(
        `device ${device.name} (${device.id}) asked to be claimed, but CLAIM_ALLOW_BY_DEFAULT is false and its ` +
          `SERVER_SCOPE attribute ${CLAIMING_ALLOWED} is not true`,
      );
      return;
    }
    const expirationTime = Date.now() + (durationMs > 0 ? durationMs : this.config.claimDurationMs);
    await this.claims.upsert({ deviceId: device.id, secretKey, expirationTime }, ['deviceId']);
  }

  /** A customer user claims the device named `deviceName` of its tenant with `secretKey`. */
  async claim(user: SecurityUser, deviceName: string, secretKey: string): Promise<ClaimResult> {
    const device = await this.findByName(user, deviceName);
    const data = await this.claimData(device);
    if (!data) return { response: isUnassigned(device) ? 'FAILURE' : 'CLAIMED' };
    // An absent secret is the empty one, so an empty secret matches only an empty secret (as in ThingsBoard).
    if (Date.now() > data.expirationTime || secretKey !== data.secretKey) {
      // As in ThingsBoard, a wrong or late attempt uses the registration up: the device must register again.
      if (data.registered) await this.claims.delete({ deviceId: device.id });
      return { response: 'FAILURE' };
    }
    const claimed = await this.db.transaction(async (tx) => {
      await tx.getRepository(DeviceClaimEntity).delete({ deviceId: device.id });
      // Only an unassigned device is taken over, so two customers racing for one device cannot both win.
      const taken = await tx
        .getRepository(DeviceEntity)
        .update({ id: device.id, customerId: NULL_UUID }, { customerId: user.customerId, version: () => 'version + 1' });
      return (taken.affected ?? 0) > 0;
    });
    await this.attributes.delete(device.id, 'SERVER_SCOPE', [CLAIMING_ALLOWED, CLAIMING_DATA]);
    if (!claimed) return { response: 'CLAIMED' };
    const assigned = (await this.devices.findOneBy({ id: device.id }))!;
    const customer = await this.customers.getForTenant(user.tenantId, user.customerId);
    this.deviceEvents.emit('updated', device.id);
    await this.audit.recordDevice(user, assigned, 'ASSIGNED_TO_CUSTOMER', { customerId: customer.id, customerTitle: customer.title });
    await this.messages.deviceAssigned(user, assigned, customer);
    return { response: 'SUCCESS', device: assigned };
  }

  /**
   * Gives the device back: unassigned from its customer and open to claiming again (with `claimingAllowed`
   * set when claiming is not allowed by default). A pending registration is dropped either way.
   */
  async reclaim(user: SecurityUser, deviceName: string): Promise<void> {
    const device = await this.findByName(user, deviceName);
    // Deliberately stricter than the reference, which lets any customer user reclaim any device of the tenant.
    if (user.authority === 'CUSTOMER_USER' && device.customerId !== user.customerId) {
      throw ApiError.forbidden('A customer user can only reclaim devices of its own customer');
    }
    await this.claims.delete({ deviceId: device.id });
    if (isUnassigned(device)) return;
    const customer = await this.customers.getForTenant(user.tenantId, device.customerId);
    await this.devices.update({ id: device.id }, { customerId: NULL_UUID, version: () => 'version + 1' });
    const released = (await this.devices.findOneBy({ id: device.id }))!;
    this.deviceEvents.emit('updated', device.id);
    if (!this.config.claimAllowByDefault) {
      await this.attributes.save(device.id, 'SERVER_SCOPE', [{ key: CLAIMING_ALLOWED, type: 'BOOLEAN', value: true }]);
    }
    await this.audit.recordDevice(user, device, 'UNASSIGNED_FROM_CUSTOMER', { customerId: customer.id, customerTitle: customer.title });
    await this.messages.deviceUnassigned(user, released, customer);
  }

  private async findByName(user: SecurityUser, deviceName: string): Promise<DeviceEntity> {
    const device = await this.devices.findOneBy({ tenantId: user.tenantId, name: deviceName });
    if (!device) throw ApiError.notFound();
    return device;
  }

  private async claimingAllowed(deviceId: string): Promise<boolean> {
    const [allowed] = await this.attributes.find(deviceId, 'SERVER_SCOPE', [CLAIMING_ALLOWED]);
    return allowed?.type === 'BOOLEAN' && allowed.value === true;
  }

  /** The device's own registration, else claim data an administrator put in the `claimingData` attribute. */
  private async claimData(device: DeviceEntity): Promise<ClaimData | undefined> {
    const registered = await this.claims.findOneBy({ deviceId: device.id });
    if (registered) return { secretKey: registered.secretKey, expirationTime: registered.expirationTime, registered: true };
    const [attribute] = await this.attributes.find(device.id, 'SERVER_SCOPE', [CLAIMING_DATA]);
    if (!attribute) return undefined;
    try {
      const data = JSON.parse(String(attribute.value)) as { secretKey?: unknown; expirationTime?: unknown };
      if (typeof data.expirationTime === 'number')
        return {
          secretKey: typeof data.secretKey === 'string' ? data.secretKey : '',
          expirationTime: data.expirationTime,
          registered: false,
        };
    } catch {
      // fall through: unreadable claim data counts as none
    }
    this.logger.warn(
      `device ${device.name} (${device.id}): SERVER_SCOPE attribute ${CLAIMING_DATA} is not {"secretKey":"…","expirationTime":<epoch ms>}; ignored`,
    );
    return undefined;
  }
}
