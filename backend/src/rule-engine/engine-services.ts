import type {
  AttributesApi,
  DeviceProfileView,
  EntitiesApi,
  EntityFields,
  EntityId,
  KvRecord,
  RpcApi,
  RuleEngineServices,
  TimeseriesApi,
} from '@edgewise/plugin-api';
import { PayloadError } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlarmsService } from '../alarms/alarms.service';
import type { SecurityUser } from '../auth/security-user';
import { CustomerEntity } from '../customers/customer.entity';
import { CustomersService } from '../customers/customers.service';
import { NULL_UUID } from '../database/ids';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { DeviceEntity } from '../devices/device.entity';
import { DevicesService } from '../devices/devices.service';
import { DeviceRpcService } from '../rpc/device-rpc.service';
import { RelationsService } from '../relations/relations.service';
import { ServerRpcRequests } from '../rpc/server-rpc-requests';
import { ScriptSandboxService } from '../scripts/script-sandbox.service';
import { AttributesService } from '../telemetry/attributes.service';
import { readJson } from '../telemetry/json-reader';
import type { KvEntry } from '../telemetry/kv-entry';
import { isJsonObject, KvParseError, toKvEntries } from '../telemetry/kv-typing';
import { ParsedTelemetry } from '../telemetry/parsed-telemetry';
import { TimeseriesService } from '../telemetry/timeseries.service';
import { TenantEntity } from '../tenants/tenant.entity';
import { SessionRegistry } from '../transport/session-registry';
import { UserEntity } from '../users/user.entity';
import { DeviceProfileCache } from '../device-profiles/device-profile-cache';

/** Rule nodes act as the tenant's own administrator, shown as "rule engine" in the audit log. */
const ruleEngineUser = (tenantId: string): SecurityUser => ({
  id: NULL_UUID,
  email: 'rule-engine',
  authority: 'TENANT_ADMIN',
  tenantId,
  customerId: NULL_UUID,
});

const customerOf = (id: string | null | undefined) => (!id || id === NULL_UUID ? null : id);

const record = (entry: Pick<KvEntry, 'key' | 'type' | 'value'>, ts: number): KvRecord => ({
  key: entry.key,
  type: entry.type,
  value: entry.value,
  ts,
});

/** JSON text or object → typed entries by ThingsBoard's rules; shape errors become PayloadError. */
function typedEntries(values: string | Readonly<Record<string, unknown>>): KvEntry[] {
  try {
    const json = typeof values === 'string' ? readJson(values) : values;
    if (!isJsonObject(json)) throw new KvParseError('Attributes must be a JSON object');
    return toKvEntries(json, { nulls: 'drop' });
  } catch (e) {
    throw new PayloadError((e as Error).message);
  }
}

/**
 * The core services as rule nodes see them (plugin-api `RuleEngineServices`), each bound to one tenant:
 * an entity of another tenant is treated as missing.
 */
@Injectable()
export class EngineServices {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly attributeStore: AttributesService,
    private readonly timeseriesStore: TimeseriesService,
    private readonly devices: DevicesService,
    private readonly customers: CustomersService,
    private readonly profiles: DeviceProfileCache,
    private readonly deviceRpc: DeviceRpcService,
    private readonly sessions: SessionRegistry,
    private readonly alarms: AlarmsService,
    private readonly restRpc: ServerRpcRequests,
    private readonly relations: RelationsService,
    private readonly scripts: ScriptSandboxService,
    private readonly parsedTelemetry: ParsedTelemetry,
  ) {}

  /** Everything a node of `tenantId` may use. */
  forTenant(tenantId: string, rpcTimeoutMs: number): RuleEngineServices {
    return {
      attributes: this.attributes(tenantId),
      timeseries: this.timeseries(tenantId),
      entities: this.entities(tenantId),
      rpc: this.rpc(tenantId, rpcTimeoutMs),
      alarms: this.alarms.forTenant(tenantId),
      relations: this.relations.forTenant(tenantId),
      scripts: this.scripts,
    };
  }

  private attributes(tenantId: string): AttributesApi {
    return {
      find: async (entity, scope, keys) => {
        await this.requireOwn(tenantId, entity);
        return (await this.attributeStore.find(entity.id, scope, keys)).map((a) => record(a, a.lastUpdateTs));
      },
      save: async (entity, scope, values, options) => {
        await this.requireOwn(tenantId, entity);
        const entries = typedEntries(values);
        if (entries.length) await this.attributeStore.save(entity.id, scope, entries, options?.ts ?? Date.now());
      },
      remove: async (entity, scope, keys) => {
        await this.requireOwn(tenantId, entity);
        await this.attributeStore.delete(entity.id, scope, keys);
      },
    };
  }

  /** The hot path of every telemetry message: no ownership query (the engine only hands a tenant its own originators). */
  private timeseries(tenantId: string): TimeseriesApi {
    return {
      save: async (entity, telemetry, defaultTs) => {
        let points;
        try {
          points = this.parsedTelemetry.points(telemetry, defaultTs);
        } catch (e) {
          throw new PayloadError(`Telemetry is not valid: ${(e as Error).message}`);
        }
        if (points.length) await this.timeseriesStore.save(entity.id, points);
      },
      latest: async (entity, keys) => {
        await this.requireOwn(tenantId, entity);
        const series = await this.timeseriesStore.latest(entity.id, keys);
        const out: KvRecord[] = [];
        for (const [key, points] of series) {
          const point = points[0];
          if (point?.entry) out.push(record({ key, ...point.entry }, point.ts));
        }
        return out;
      },
    };
  }

  private entities(tenantId: string): EntitiesApi {
    return {
      get: (entity) => this.fields(tenantId, entity),
      findByName: async (entityType, name) => {
        const byName: Partial<Record<EntityId['entityType'], () => Promise<{ id: string } | null>>> = {
          DEVICE: () => this.db.getRepository(DeviceEntity).findOneBy({ tenantId, name }),
          CUSTOMER: () => this.db.getRepository(CustomerEntity).findOneBy({ tenantId, title: name }),
          USER: () => this.db.getRepository(UserEntity).findOneBy({ tenantId, email: name }),
        };
        const found = await byName[entityType]?.();
        return found ? this.fields(tenantId, { entityType, id: found.id }) : null;
      },
      deviceProfileOf: async (deviceId): Promise<DeviceProfileView | null> => {
        const device = await this.db.getRepository(DeviceEntity).findOneBy({ id: deviceId, tenantId });
        return device ? this.profiles.get(device.deviceProfileId) : null;
      },
      assignToCustomer: async (entity, customerTitle, options) => {
        if (entity.entityType !== 'DEVICE') throw new Error(`Only devices can be assigned to customers here, not ${entity.entityType}`);
        let customer = await this.db.getRepository(CustomerEntity).findOneBy({ tenantId, title: customerTitle });
        if (!customer) {
          if (!options?.createIfMissing) throw new Error(`Customer with title '${customerTitle}' doesn't exist!`);
          customer = await this.customers.save(ruleEngineUser(tenantId), { title: customerTitle }, {});
        }
        await this.devices.assignToCustomer(ruleEngineUser(tenantId), customer.id, entity.id);
        return (await this.fields(tenantId, entity))!;
      },
      unassignFromCustomer: async (entity) => {
        if (entity.entityType !== 'DEVICE') throw new Error(`Only devices can be unassigned from customers here, not ${entity.entityType}`);
        await this.devices.unassignFromCustomer(ruleEngineUser(tenantId), entity.id);
      },
    };
  }

  private rpc(tenantId: string, defaultTimeoutMs: number): RpcApi {
    return {
      sendToDevice: async (request) => {
        const device = await this.db.getRepository(DeviceEntity).findOneBy({ id: request.deviceId, tenantId });
        if (!device) return { error: 'DEVICE_NOT_FOUND' };
        const call = {
          deviceId: request.deviceId,
          tenantId,
          method: request.method,
          params: JSON.parse(request.params || 'null') as unknown,
          oneway: request.oneway,
          expiresAt: Date.now() + (request.timeoutMs ?? defaultTimeoutMs),
        };
        if (request.persistent) {
          const rpcId = await this.deviceRpc.callPersistent({
            ...call,
            persistent: { retries: 0, additionalInfo: request.additionalInfo ?? null },
          });
          return { response: JSON.stringify({ rpcId }) };
        }
        if (request.requestUUID) this.restRpc.delivering(request.requestUUID);
        const outcome = await this.deviceRpc.call(call);
        if (request.requestUUID) this.restRpc.complete(request.requestUUID, outcome);
        if (outcome.kind === 'REPLY') return { response: outcome.payload };
        if (outcome.kind === 'DELIVERED') return {};
        return { error: outcome.sent ? 'TIMEOUT' : 'NO_ACTIVE_CONNECTION' };
      },
      replyToDevice: async ({ deviceId, sessionId, requestId, body }) => {
        this.sessions.replyToDeviceRpc(deviceId, sessionId, requestId, body);
      },
    };
  }

  private async requireOwn(tenantId: string, entity: EntityId): Promise<void> {
    if (!(await this.fields(tenantId, entity))) throw new Error(`${entity.entityType} ${entity.id} not found`);
  }

  private async fields(tenantId: string, entity: EntityId): Promise<EntityFields | null> {
    const base = (name: string, createdTime: number, customerId: string | null, additionalInfo: Record<string, unknown> | null) => ({
      id: entity,
      name,
      createdTime,
      tenantId,
      customerId,
      additionalInfo,
    });
    switch (entity.entityType) {
      case 'DEVICE': {
        const d = await this.db.getRepository(DeviceEntity).findOneBy({ id: entity.id, tenantId });
        return d && { ...base(d.name, d.createdTime, customerOf(d.customerId), d.additionalInfo), type: d.type, label: d.label ?? '' };
      }
      case 'CUSTOMER': {
        const c = await this.db.getRepository(CustomerEntity).findOneBy({ id: entity.id, tenantId });
        return c && { ...base(c.title, c.createdTime, c.id, c.additionalInfo), ...contact(c), title: c.title };
      }
      case 'TENANT': {
        if (entity.id !== tenantId) return null;
        const t = await this.db.getRepository(TenantEntity).findOneBy({ id: entity.id });
        return t && { ...base(t.title, t.createdTime, null, t.additionalInfo), ...contact(t), title: t.title };
      }
      case 'USER': {
        const u = await this.db.getRepository(UserEntity).findOneBy({ id: entity.id, tenantId });
        return (
          u && {
            ...base(u.email, u.createdTime, customerOf(u.customerId), u.additionalInfo),
            email: u.email,
            firstName: u.firstName ?? '',
            lastName: u.lastName ?? '',
            phone: u.phone ?? '',
          }
        );
      }
      case 'DEVICE_PROFILE': {
        const p = await this.db.getRepository(DeviceProfileEntity).findOneBy({ id: entity.id, tenantId });
        return p && base(p.name, p.createdTime, null, null);
      }
      default:
        return null;
    }
  }
}

function contact(c: {
  email: string | null;
  phone: string | null;
  country: string | null;
  city: string | null;
  address: string | null;
  zip: string | null;
}) {
  return {
    email: c.email ?? '',
    phone: c.phone ?? '',
    country: c.country ?? '',
    city: c.city ?? '',
    address: c.address ?? '',
    zip: c.zip ?? '',
  };
}
