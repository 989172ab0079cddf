import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { customerScope } from '../access/tenant-access';
import type { SecurityUser } from '../auth/security-user';
import { dialectOf } from '../database/dialect';
import { isSqlTrue, joinServerAttribute, pageOfDevices } from '../devices/device-page';
import { DeviceEntity } from '../devices/device.entity';
import { ApiError } from '../errors/api-error';
import { PageData, PageLink } from '../paging/page-link';
import { LAST_CONNECTED_GATEWAY } from './gateway-child-devices.service';

/** API sort names → SQL of the child page query (alias d = device). */
export const CHILD_DEVICE_SORTABLE = { createdTime: 'd.created_time', name: 'd.name', label: 'd.label', type: 'd.type' };

/** A child device's connectivity as the device-state service keeps it (device-api.md §5.1); 0 = never. */
export interface ChildConnectivity {
  active: boolean;
  lastConnectTime: number;
  lastDisconnectTime: number;
  lastActivityTime: number;
}

const STATE_TIMES = ['lastConnectTime', 'lastDisconnectTime', 'lastActivityTime'] as const;

interface ChildRow {
  id: string;
  active: unknown;
  lastConnectTime: string | number | null;
  lastDisconnectTime: string | number | null;
  lastActivityTime: string | number | null;
}

/** The REST view of gateways: the devices a gateway connects, with their connection state. */
@Injectable()
export class GatewaysService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * A gateway of the caller's tenant (a customer user: of its customer). Unknown and foreign ids are the same 404,
   * so another tenant's ids are not revealed; a device that is not a gateway is a 400.
   */
  async gateway(user: SecurityUser, gatewayId: string): Promise<DeviceEntity> {
    const device = await this.db.getRepository(DeviceEntity).findOneBy({ id: gatewayId });
    const scope = customerScope(user);
    if (!device || device.tenantId !== user.tenantId || (scope && device.customerId !== scope))
      throw ApiError.notFound(`Device with id [${gatewayId}] is not found`);
    if (device.additionalInfo?.gateway !== true)
      throw ApiError.badRequest(
        `Device [${device.name}] is not a gateway: set additionalInfo.gateway to true to let it connect child devices`,
      );
    return device;
  }

  /** The devices whose `additionalInfo.lastConnectedGateway` is this gateway, a page at a time. */
  async childDevices(
    user: SecurityUser,
    gateway: DeviceEntity,
    link: PageLink,
  ): Promise<PageData<{ device: DeviceEntity; connectivity: ChildConnectivity }>> {
    const lastGateway =
      dialectOf(this.db) === 'postgres'
        ? `(d.additional_info::jsonb ->> '${LAST_CONNECTED_GATEWAY}')`
        : `json_extract(d.additional_info, '$.${LAST_CONNECTED_GATEWAY}')`;
    const query = this.db
      .createQueryBuilder()
      .select('d.id', 'id')
      .from('device', 'd')
      .where('d.tenant_id = :tenantId', { tenantId: user.tenantId })
      .andWhere(`${lastGateway} = :gatewayId`, { gatewayId: gateway.id });
    query.addSelect(`${joinServerAttribute(query, 'active')}.bool_v`, 'active');
    for (const key of STATE_TIMES) query.addSelect(`${joinServerAttribute(query, key)}.long_v`, key);
    const scope = customerScope(user);
    if (scope) query.andWhere('d.customer_id = :customerId', { customerId: scope });
    return pageOfDevices(this.db, query, link, (device, row: ChildRow) => ({
      device,
      connectivity: {
        active: isSqlTrue(row.active),
        lastConnectTime: Number(row.lastConnectTime ?? 0),
        lastDisconnectTime: Number(row.lastDisconnectTime ?? 0),
        lastActivityTime: Number(row.lastActivityTime ?? 0),
      },
    }));
  }
}
