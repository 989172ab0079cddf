import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { entityId } from '../database/ids';
import { DeviceProfileEvents } from '../device-profiles/device-profile-events';
import { DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { AttributesService } from '../telemetry/attributes.service';
import type { KvEntry, TsKvEntry } from '../telemetry/kv-entry';
import { TimeseriesEvents } from '../telemetry/timeseries-events';
import { TimeseriesService } from '../telemetry/timeseries.service';
import { OTA_PACKAGE_TYPES, OtaDeviceUpdateEntity, OtaPackageEntity, type OtaPackageType } from './ota-package.entity';
import { valueAsString } from '../telemetry/kv-json';

/** `fw` / `sw`: the prefix of every OTA key of that type (device-api.md §1.12). */
const PREFIX: Record<OtaPackageType, string> = { FIRMWARE: 'fw', SOFTWARE: 'sw' };
/** ThingsBoard's OtaPackageKey values; unassigning deletes the shared attribute of each. */
const PACKAGE_KEYS = ['title', 'version', 'ts', 'state', 'size', 'checksum', 'checksum_algorithm', 'url', 'tag'];
/** Device-reported states that end an update and free its place in the rollout. */
const FINAL_STATES = new Set(['UPDATED', 'FAILED']);
/** Queued devices initiated per round of the rollout. */
const INITIATE_BATCH = 100;
const DEVICES_PER_QUERY = 500;
/** How the rollout names itself to TimeseriesEvents. */
const WATCHER = 'ota-rollout';

const stateKey = (type: OtaPackageType) => `${PREFIX[type]}_state`;
const STATE_KEYS = new Map(OTA_PACKAGE_TYPES.map((type) => [stateKey(type), type]));

const text = (key: string, value: string, ts: number): TsKvEntry => ({ key, type: 'STRING', value, ts });

interface DeviceAssignment {
  deviceId: string;
  tenantId: string;
  effective: Record<OtaPackageType, string | null>;
}

/** One device's update as the status view shows it. */
export interface OtaUpdateStatus {
  deviceId: string;
  deviceName: string;
  deviceProfileId: string;
  row: OtaDeviceUpdateEntity;
  /** Latest values of the device's OTA telemetry keys (target_*, *_state, *_error, current_*), by key. */
  latest: Map<string, { ts: number; value: unknown; text: string }>;
}

export interface OtaStatusFilter {
  type: OtaPackageType;
  deviceProfileId?: string;
  otaPackageId?: string;
  deviceId?: string;
}

/**
 * Carries package assignments to devices (device-api.md §1.12.1): when a device's effective package (its own,
 * else its profile's) changes it gets `target_*` telemetry and `*_state` QUEUED; when its turn comes, `*_state`
 * INITIATED and the shared `fw_*`/`sw_*` attributes, which reach subscribed devices as attribute pushes.
 * With OTA_MAX_CONCURRENT_UPDATES > 0 only that many devices are INITIATED at once; the others stay QUEUED,
 * oldest first, until an updating device reports UPDATED or FAILED. All changes run one after another.
 */
@Injectable()
export class OtaUpdatesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OtaUpdates');
  private readonly maxConcurrent: number;
  private work: Promise<void> = Promise.resolve();
  /** Devices told to update whose reports are followed until they say UPDATED or FAILED. */
  private readonly followed = new Set<string>();
  private readonly onDeviceSaved = (deviceId: string) => this.enqueue(() => this.reconcile([deviceId]));
  private readonly onDeviceDeleted = (deviceId: string) => this.enqueue(() => this.forgetDevice(deviceId));
  private readonly onProfileChanged = (profileId: string) => this.enqueue(() => this.reconcileProfile(profileId));

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(OtaDeviceUpdateEntity) private readonly updates: Repository<OtaDeviceUpdateEntity>,
    @InjectRepository(OtaPackageEntity) private readonly packages: Repository<OtaPackageEntity>,
    private readonly attributes: AttributesService,
    private readonly timeseries: TimeseriesService,
    private readonly timeseriesEvents: TimeseriesEvents,
    private readonly deviceEvents: DeviceEvents,
    private readonly profileEvents: DeviceProfileEvents,
  ) {
    this.maxConcurrent = config.otaMaxConcurrentUpdates;
  }

  onApplicationBootstrap(): void {
    this.deviceEvents.on('created', this.onDeviceSaved);
    this.deviceEvents.on('updated', this.onDeviceSaved);
    this.deviceEvents.on('deleted', this.onDeviceDeleted);
    this.profileEvents.on('changed', this.onProfileChanged);
    this.timeseriesEvents.on('saved', this.onTimeseriesSaved);
    this.enqueue(async () => {
      for (const row of await this.updates.findBy({ status: 'INITIATED' })) this.follow(row.deviceId);
      // Devices left QUEUED when the server stopped get their turn.
      await this.initiateQueued();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.deviceEvents.off('created', this.onDeviceSaved);
    this.deviceEvents.off('updated', this.onDeviceSaved);
    this.deviceEvents.off('deleted', this.onDeviceDeleted);
    this.profileEvents.off('changed', this.onProfileChanged);
    this.timeseriesEvents.off('saved', this.onTimeseriesSaved);
    for (const deviceId of this.followed) this.timeseriesEvents.unwatch(deviceId, WATCHER);
    this.followed.clear();
    await this.work;
  }

  /** Where each device of the page stands with its `type` package; devices without an assignment are not listed. */
  async status(user: SecurityUser, filter: OtaStatusFilter, link: PageLink): Promise<PageData<OtaUpdateStatus>> {
    const query = this.db
      .createQueryBuilder()
      .select('u.device_id', 'deviceId')
      .addSelect('d.name', 'deviceName')
      .addSelect('d.device_profile_id', 'deviceProfileId')
      .from('ota_device_update', 'u')
      .innerJoin('device', 'd', 'd.id = u.device_id')
      .where('u.tenant_id = :tenantId AND u.ota_type = :type', { tenantId: user.tenantId, type: filter.type });
    if (filter.deviceProfileId) query.andWhere('d.device_profile_id = :profileId', { profileId: filter.deviceProfileId });
    if (filter.otaPackageId) query.andWhere('u.ota_package_id = :packageId', { packageId: filter.otaPackageId });
    if (filter.deviceId) query.andWhere('u.device_id = :deviceId', { deviceId: filter.deviceId });
    if (link.textSearch) query.andWhere(`LOWER(d.name) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    const total = await query.clone().select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
    const devices = await query
      .orderBy('d.name', 'ASC')
      .offset(link.page * link.pageSize)
      .limit(link.pageSize)
      .getRawMany<{ deviceId: string; deviceName: string; deviceProfileId: string }>();
    if (devices.length === 0) return toPageData([], Number(total?.n ?? 0), link);
    const rows = new Map(
      (await this.updates.findBy({ deviceId: In(devices.map((d) => d.deviceId)), type: filter.type })).map((r) => [r.deviceId, r]),
    );
    const keys = statusKeys(filter.type);
    const data: OtaUpdateStatus[] = [];
    for (const device of devices) {
      const latest = new Map<string, { ts: number; value: unknown; text: string }>();
      for (const [key, [point]] of await this.timeseries.latest(device.deviceId, keys)) {
        if (point?.entry) latest.set(key, { ts: point.ts, value: point.entry.value, text: valueAsString(point.entry) });
      }
      data.push({ ...device, row: rows.get(device.deviceId)!, latest });
    }
    return toPageData(data, Number(total?.n ?? 0), link);
  }

  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((error: Error) => this.logger.error(`OTA update step failed: ${error.stack ?? error.message}`));
  }

  private async reconcileProfile(profileId: string): Promise<void> {
    const devices = await this.db.getRepository(DeviceEntity).find({ where: { deviceProfileId: profileId }, select: { id: true } });
    await this.reconcile(devices.map((d) => d.id));
  }

  /** Compares each device's effective packages with what it was last told, and carries out the differences. */
  private async reconcile(deviceIds: readonly string[]): Promise<void> {
    for (let first = 0; first < deviceIds.length; first += DEVICES_PER_QUERY) {
      const ids = deviceIds.slice(first, first + DEVICES_PER_QUERY);
      const known = new Map((await this.updates.findBy({ deviceId: In(ids) })).map((r) => [`${r.deviceId}/${r.type}`, r]));
      for (const device of await this.assignments(ids)) {
        for (const type of OTA_PACKAGE_TYPES) {
          const row = known.get(`${device.deviceId}/${type}`);
          const packageId = device.effective[type];
          if (packageId === (row?.otaPackageId ?? null)) continue;
          if (packageId) await this.queue(device, type, packageId);
          else await this.unassign(device.deviceId, type);
        }
      }
    }
    await this.initiateQueued();
  }

  private async assignments(deviceIds: readonly string[]): Promise<DeviceAssignment[]> {
    if (deviceIds.length === 0) return [];
    const rows = await this.db
      .createQueryBuilder()
      .select('d.id', 'deviceId')
      .addSelect('d.tenant_id', 'tenantId')
      .addSelect('COALESCE(d.firmware_id, p.firmware_id)', 'firmware')
      .addSelect('COALESCE(d.software_id, p.software_id)', 'software')
      .from('device', 'd')
      .innerJoin('device_profile', 'p', 'p.id = d.device_profile_id')
      .where('d.id IN (:...ids)', { ids: deviceIds })
      .getRawMany<{ deviceId: string; tenantId: string; firmware: string | null; software: string | null }>();
    return rows.map((r) => ({ deviceId: r.deviceId, tenantId: r.tenantId, effective: { FIRMWARE: r.firmware, SOFTWARE: r.software } }));
  }

  /** §1.12.1 step 1: the target telemetry and `*_state` QUEUED; the rollout initiates it in turn. */
  private async queue(device: DeviceAssignment, type: OtaPackageType, packageId: string): Promise<void> {
    const found = await this.packages.findOneBy({ id: packageId });
    if (!found) return;
    const ts = Date.now();
    await this.stopFollowing(device.deviceId, type);
    await this.updates.save({
      deviceId: device.deviceId,
      type,
      tenantId: device.tenantId,
      otaPackageId: packageId,
      status: 'QUEUED',
      queuedTime: ts,
    });
    const prefix = `target_${PREFIX[type]}`;
    const points = [text(`${prefix}_title`, found.title, ts), text(`${prefix}_version`, found.version, ts)];
    if (found.tag) points.push(text(`${prefix}_tag`, found.tag, ts));
    points.push({ key: `${prefix}_ts`, type: 'LONG', value: ts, ts }, text(stateKey(type), 'QUEUED', ts));
    await this.timeseries.save(device.deviceId, points);
  }

  /** No package any more: the device's `fw_*` shared attributes are deleted (the device gets `{"deleted":[…]}`). */
  private async unassign(deviceId: string, type: OtaPackageType): Promise<void> {
    await this.stopFollowing(deviceId, type);
    await this.updates.delete({ deviceId, type });
    await this.attributes.delete(
      deviceId,
      'SHARED_SCOPE',
      PACKAGE_KEYS.map((key) => `${PREFIX[type]}_${key}`),
    );
  }

  private async forgetDevice(deviceId: string): Promise<void> {
    this.unfollow(deviceId);
    const { affected } = await this.updates.delete({ deviceId });
    if (affected) await this.initiateQueued();
  }

  /** Initiates queued devices, oldest first, while the rollout limit leaves room. */
  private async initiateQueued(): Promise<void> {
    for (;;) {
      let room = INITIATE_BATCH;
      if (this.maxConcurrent > 0) {
        room = Math.min(room, this.maxConcurrent - (await this.updates.countBy({ status: 'INITIATED' })));
        if (room <= 0) return;
      }
      const queued = await this.updates.find({ where: { status: 'QUEUED' }, order: { queuedTime: 'ASC', deviceId: 'ASC' }, take: room });
      if (queued.length === 0) return;
      let progressed = false;
      for (const row of queued) progressed = (await this.initiate(row)) || progressed;
      // Rows another node changed meanwhile are left to it, rather than read again forever.
      if (!progressed) return;
    }
  }

  /**
   * §1.12.1 step 2: `*_state` INITIATED, then the shared attributes. The row is marked last, so a stop halfway
   * initiates the device again on the next start rather than never.
   */
  private async initiate(row: OtaDeviceUpdateEntity): Promise<boolean> {
    const found = await this.packages.findOneBy({ id: row.otaPackageId });
    if (!found) {
      const { affected } = await this.updates.delete({ deviceId: row.deviceId, type: row.type, status: 'QUEUED' });
      return !!affected;
    }
    // After the QUEUED point, so both stay in the history.
    const ts = Math.max(Date.now(), row.queuedTime + 1);
    await this.timeseries.save(row.deviceId, [text(stateKey(row.type), 'INITIATED', ts)]);
    const { saved, deleted } = sharedAttributes(found);
    if (deleted.length) await this.attributes.delete(row.deviceId, 'SHARED_SCOPE', deleted);
    await this.attributes.save(row.deviceId, 'SHARED_SCOPE', saved, ts);
    this.follow(row.deviceId);
    const { affected } = await this.updates.update(
      { deviceId: row.deviceId, type: row.type, otaPackageId: row.otaPackageId, status: 'QUEUED' },
      { status: 'INITIATED' },
    );
    return !!affected;
  }

  /** A followed device reported `fw_state`/`sw_state`: UPDATED or FAILED ends its update and frees its place. */
  private readonly onTimeseriesSaved = (deviceId: string, points: readonly TsKvEntry[]): void => {
    if (!this.followed.has(deviceId)) return;
    for (const point of points) {
      const type = STATE_KEYS.get(point.key);
      if (!type || !FINAL_STATES.has(String(point.value))) continue;
      this.enqueue(async () => {
        const { affected } = await this.updates.update({ deviceId, type, status: 'INITIATED' }, { status: 'FINISHED' });
        if (!affected) return;
        if (!(await this.updates.existsBy({ deviceId, status: 'INITIATED' }))) this.unfollow(deviceId);
        await this.initiateQueued();
      });
    }
  };

  /** Saved timeseries of the device are announced from now on (TimeseriesEvents only announces watched entities). */
  private follow(deviceId: string): void {
    if (this.followed.has(deviceId)) return;
    this.followed.add(deviceId);
    this.timeseriesEvents.watch(deviceId, WATCHER);
  }

  private unfollow(deviceId: string): void {
    if (this.followed.delete(deviceId)) this.timeseriesEvents.unwatch(deviceId, WATCHER);
  }

  /** The device's `type` update ends without a report (re-assigned, unassigned): unfollow it once nothing else is updating. */
  private async stopFollowing(deviceId: string, type: OtaPackageType): Promise<void> {
    if (!this.followed.has(deviceId)) return;
    const others = await this.updates.countBy({ deviceId, status: 'INITIATED' });
    const own = await this.updates.existsBy({ deviceId, type, status: 'INITIATED' });
    if (others - (own ? 1 : 0) === 0) this.unfollow(deviceId);
  }
}

/** The OTA telemetry the status view reads for a type. */
function statusKeys(type: OtaPackageType): string[] {
  const p = PREFIX[type];
  return [
    `target_${p}_title`,
    `target_${p}_version`,
    `target_${p}_tag`,
    `target_${p}_ts`,
    `${p}_state`,
    `${p}_error`,
    `current_${p}_title`,
    `current_${p}_version`,
  ];
}

/** The shared attributes of a package (device-api.md §1.12.1 table): what to save, and what to delete for lack of a value. */
function sharedAttributes(p: OtaPackageEntity): { saved: KvEntry[]; deleted: string[] } {
  const prefix = PREFIX[p.type];
  const saved: KvEntry[] = [];
  const deleted: string[] = [];
  const put = (key: string, value: string | number | null, type: 'STRING' | 'LONG' = 'STRING') => {
    if (value === null || value === '') deleted.push(`${prefix}_${key}`);
    else saved.push({ key: `${prefix}_${key}`, type, value });
  };
  put('title', p.title);
  put('version', p.version);
  put('tag', p.tag);
  if (p.url) {
    put('url', p.url);
  } else {
    deleted.push(`${prefix}_url`);
  }
  put('size', p.dataSize, 'LONG');
  put('checksum_algorithm', p.checksumAlgorithm);
  put('checksum', p.checksum);
  return { saved, deleted };
}

/** The status view's JSON for one device. */
export function otaUpdateStatusJson(type: OtaPackageType, s: OtaUpdateStatus) {
  const p = PREFIX[type];
  // Titles, versions, states and errors as the text the device sent (`4.0` stays `4.0`, not the number 4).
  const text = (key: string) => s.latest.get(key)?.text ?? null;
  const state = s.latest.get(`${p}_state`);
  return {
    deviceId: entityId('DEVICE', s.deviceId),
    deviceName: s.deviceName,
    deviceProfileId: entityId('DEVICE_PROFILE', s.deviceProfileId),
    type,
    otaPackageId: entityId('OTA_PACKAGE', s.row.otaPackageId),
    rollout: s.row.status,
    queuedTime: s.row.queuedTime,
    targetTitle: text(`target_${p}_title`),
    targetVersion: text(`target_${p}_version`),
    targetTag: text(`target_${p}_tag`),
    targetTs: s.latest.get(`target_${p}_ts`)?.value ?? null,
    state: state?.text ?? null,
    stateTs: state?.ts ?? null,
    error: text(`${p}_error`),
    currentTitle: text(`current_${p}_title`),
    currentVersion: text(`current_${p}_version`),
  };
}
