import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUuid } from '../database/ids';
import { DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import { DeviceRpcService } from '../rpc/device-rpc.service';
import { LAST_CONNECTED_GATEWAY } from './gateway-child-devices.service';

/** ThingsBoard's DefaultGatewayNotificationsService: persistent one-way RPCs, 24 h to live, 3 retries (device-api.md §4.4). */
export const DEVICE_DELETED_METHOD = 'gateway_device_deleted';
export const DEVICE_RENAMED_METHOD = 'gateway_device_renamed';
const NOTIFICATION_TTL_MS = 24 * 60 * 60 * 1000;
const NOTIFICATION_RETRIES = 3;

/**
 * Tells a gateway that a device it last connected was deleted or renamed, by a server-side RPC to the gateway
 * device itself (`{"method":"gateway_device_deleted","params":"Device A"}`,
 * `{"method":"gateway_device_renamed","params":{"Old":"New"}}`), so the gateway learns it whenever it is online.
 */
@Injectable()
export class GatewayNotifications implements OnModuleDestroy {
  private readonly logger = new Logger('GatewayNotifications');
  private readonly onDeleted = (_deviceId: string, device?: DeviceEntity) =>
    device && void this.notify(device, DEVICE_DELETED_METHOD, device.name);
  private readonly onRenamed = (device: DeviceEntity, oldName: string) =>
    void this.notify(device, DEVICE_RENAMED_METHOD, { [oldName]: device.name });

  constructor(
    private readonly events: DeviceEvents,
    private readonly rpc: DeviceRpcService,
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
  ) {
    events.on('deleted', this.onDeleted);
    events.on('renamed', this.onRenamed);
  }

  onModuleDestroy(): void {
    this.events.off('deleted', this.onDeleted);
    this.events.off('renamed', this.onRenamed);
  }

  /** The change is committed already: a notification that cannot be queued is logged, never thrown at the caller. */
  private async notify(child: DeviceEntity, method: string, params: unknown): Promise<void> {
    const gatewayId: unknown = child.additionalInfo?.[LAST_CONNECTED_GATEWAY];
    // `additionalInfo` is user-editable: only a gateway of the child's own tenant is ever addressed.
    if (typeof gatewayId !== 'string' || !isUuid(gatewayId)) return;
    try {
      const where = { id: gatewayId.toLowerCase(), tenantId: child.tenantId };
      const gateway = await this.devices.findOne({ where, select: { id: true } });
      if (!gateway) return;
      await this.rpc.callPersistent({
        deviceId: gateway.id,
        tenantId: child.tenantId,
        method,
        params,
        oneway: true,
        expiresAt: Date.now() + NOTIFICATION_TTL_MS,
        persistent: { retries: NOTIFICATION_RETRIES, additionalInfo: null },
      });
    } catch (e) {
      this.logger.error(
        `gateway ${gatewayId} not told about ${method} of ${child.name}; it keeps using the old name until it reconnects the device: ${(e as Error).message}`,
      );
    }
  }
}
