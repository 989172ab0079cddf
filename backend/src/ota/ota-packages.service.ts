import type { OtaPackageLookup, OtaPackageType as SeamOtaPackageType } from '@edgewise/plugin-api';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { ReadStream } from 'node:fs';
import { DataSource, Repository } from 'typeorm';
import { checkAccess } from '../access/tenant-access';
import { AuditLogService, type ActionType } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { newId } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { DeviceProfileEvents } from '../device-profiles/device-profile-events';
import { DeviceEntity } from '../devices/device.entity';
import { ApiError } from '../errors/api-error';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import type { ChecksumAlgorithm } from './checksum';
import type { SaveOtaPackageInfoDto } from './dto/ota-package.dto';
import { OtaBinaryStore } from './ota-binary-store';
import { OTA_PACKAGE_TYPES, OtaPackageEntity, type OtaPackageType } from './ota-package.entity';
import type { ReceivedFile } from './ota-upload';

/** API sort names → entity fields (ThingsBoard's allowable values). */
export const OTA_PACKAGE_SORTABLE = {
  createdTime: 'createdTime',
  type: 'type',
  title: 'title',
  version: 'version',
  tag: 'tag',
  url: 'url',
  fileName: 'fileName',
  dataSize: 'dataSize',
  checksum: 'checksum',
};

const TEXT_MAX = 255;

/** How many devices a refused deletion names before it only counts the rest. */
const NAMES_SHOWN = 5;

/** Requests that read a device's assignment or a package's bytes over the device protocols. */
export interface OtaDeviceRef {
  deviceId: string;
  tenantId: string;
}

/** Bytes `[chunk*chunkSize, …)` as device-api.md §1.12.3 cuts them; chunkSize < 1 means the whole file. */
export function chunkRange(size: number, chunkSize: number, chunk: number): { offset: number; length: number } {
  if (chunkSize < 1) return { offset: 0, length: size };
  const offset = chunkSize * chunk;
  if (chunk < 0 || offset >= size) return { offset: 0, length: 0 };
  return { offset, length: Math.min(chunkSize, size - offset) };
}

/**
 * OTA packages (device-api.md §8.8): descriptions in the database, binaries in DATA_DIR/ota. Also what device
 * sessions read: the package assigned to a device, and chunks of its binary.
 */
@Injectable()
export class OtaPackagesService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly binaries: OtaBinaryStore;
  private readonly logger = new Logger('OtaPackages');
  /** Packages whose binary is being stored right now: a second upload to the same package waits for none, it is refused. */
  private readonly storing = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectRepository(OtaPackageEntity) private readonly packages: Repository<OtaPackageEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLogService,
    private readonly profileEvents: DeviceProfileEvents,
  ) {
    this.binaries = new OtaBinaryStore(config.dataDir);
  }

  /** A deleted device profile takes its packages along, as in ThingsBoard (nothing can have them assigned any more). */
  private readonly onProfileChanged = (profileId: string): void => {
    this.deletePackagesOfDeletedProfile(profileId).catch((error: Error) =>
      this.logger.error(`OTA packages of deleted device profile ${profileId} were not deleted: ${error.message}`),
    );
  };

  /** Leftovers of uploads cut short by a stop, and binaries of packages deleted with their tenant, go. */
  async onApplicationBootstrap(): Promise<void> {
    this.profileEvents.on('changed', this.onProfileChanged);
    const stored = await this.packages.find({ where: { hasData: true }, select: { id: true } });
    const removed = await this.binaries.prune(new Set(stored.map((p) => p.id)));
    if (removed.length) this.logger.log({ msg: 'removed OTA binaries of packages that no longer exist', count: removed.length });
  }

  onModuleDestroy(): void {
    this.profileEvents.off('changed', this.onProfileChanged);
  }

  private async deletePackagesOfDeletedProfile(profileId: string): Promise<void> {
    if (await this.db.getRepository(DeviceProfileEntity).existsBy({ id: profileId })) return;
    const orphans = await this.packages.find({ where: { deviceProfileId: profileId }, select: { id: true } });
    if (orphans.length === 0) return;
    await this.packages.delete({ deviceProfileId: profileId });
    for (const { id } of orphans) await this.binaries.remove(id);
  }

  async get(user: SecurityUser, id: string): Promise<OtaPackageEntity> {
    const packageId = parseUuid(id);
    return checkAccess(user, 'OTA_PACKAGE', packageId, await this.packages.findOneBy({ id: packageId }));
  }

  /** The tenant's packages; with a profile and type, only those that can be assigned (binary or URL), as ThingsBoard lists them. */
  async page(
    user: SecurityUser,
    link: PageLink,
    filter: { deviceProfileId?: string; type?: OtaPackageType } = {},
  ): Promise<PageData<OtaPackageEntity>> {
    const query = this.packages.createQueryBuilder('o').where('o.tenantId = :tenantId', { tenantId: user.tenantId });
    if (filter.deviceProfileId) {
      query
        .andWhere('o.deviceProfileId = :profileId AND o.type = :type', { profileId: filter.deviceProfileId, type: filter.type })
        .andWhere('(o.hasData = :yes OR o.url IS NOT NULL)', { yes: true });
    }
    if (link.textSearch) query.andWhere(`LOWER(o.title) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    query.orderBy(`o.${link.sortProperty ?? 'createdTime'}`, link.sortProperty ? link.sortOrder : 'ASC').addOrderBy('o.id', 'ASC');
    const [rows, total] = await query
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(rows, total, link);
  }

  /** Creates a package description (no id), or updates one: only `additionalInfo` may change, as in ThingsBoard. */
  async save(user: SecurityUser, dto: SaveOtaPackageInfoDto): Promise<OtaPackageEntity> {
    const existing = dto.id?.id ? await this.get(user, dto.id.id) : undefined;
    const fields = await this.validInfo(user.tenantId, dto);
    let saved: OtaPackageEntity;
    if (existing) {
      refuseChangedInfo(existing, fields);
      await this.packages.update({ id: existing.id }, { additionalInfo: fields.additionalInfo });
      saved = { ...existing, additionalInfo: fields.additionalInfo };
    } else {
      try {
        saved = await this.packages.save({
          id: newId(),
          createdTime: Date.now(),
          tenantId: user.tenantId,
          ...fields,
          hasData: false,
          fileName: null,
          contentType: null,
          checksumAlgorithm: null,
          checksum: null,
          dataSize: null,
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw ApiError.badRequest('OtaPackage with such title and version already exists!');
        throw e;
      }
    }
    await this.record(user, saved, existing ? 'UPDATED' : 'ADDED');
    return saved;
  }

  /** What an upload needs settled before its bytes are read: the package is the caller's, has no binary yet and is not a URL package. */
  async checkUploadable(user: SecurityUser, id: string): Promise<void> {
    refuseStored(await this.get(user, id));
  }

  /** Keeps an uploaded binary: the given checksum must match the computed one; otherwise nothing is kept. */
  async storeData(
    user: SecurityUser,
    id: string,
    algorithm: ChecksumAlgorithm,
    expectedChecksum: string | undefined,
    file: ReceivedFile | undefined,
  ): Promise<OtaPackageEntity> {
    if (!file) throw ApiError.badRequest("Required request part 'file' is not present: send the binary as multipart/form-data part 'file'");
    const packageId = parseUuid(id);
    if (this.storing.has(packageId)) {
      await this.binaries.discardIncoming(file.path);
      throw ApiError.badRequest('Another upload to this OTA package is in progress: wait for it to finish');
    }
    this.storing.add(packageId);
    try {
      const stored = refuseStored(await this.get(user, packageId));
      refuseContent(file, algorithm, expectedChecksum);
      const data = {
        hasData: true,
        fileName: file.originalname,
        contentType: file.mimetype || 'application/octet-stream',
        checksumAlgorithm: algorithm,
        checksum: file.checksum,
        dataSize: file.size,
      };
      await this.binaries.commit(file.path, packageId);
      const claimed = await this.packages.update({ id: packageId, hasData: false }, data);
      if (!claimed.affected) {
        // Deleted while the bytes were arriving.
        await this.binaries.remove(packageId);
        throw ApiError.notFound(`OTA package with id [${packageId}] is not found`);
      }
      const saved = { ...stored, ...data };
      await this.record(user, saved, 'UPDATED');
      return saved;
    } finally {
      this.storing.delete(packageId);
      await this.binaries.discardIncoming(file.path);
    }
  }

  /** Refused while a device or device profile has the package assigned; the message says where. */
  async delete(user: SecurityUser, id: string): Promise<void> {
    const found = await this.get(user, id);
    await this.db.transaction(async (tx) => {
      const column = found.type === 'FIRMWARE' ? 'firmwareId' : 'softwareId';
      const what = found.type === 'FIRMWARE' ? 'otaPackage' : 'software';
      const profiles = await tx.getRepository(DeviceProfileEntity).find({ where: { [column]: found.id }, select: { name: true } });
      if (profiles.length) {
        throw ApiError.badRequest(
          `The ${what} referenced by the device profile cannot be deleted! Device profile ${quoted(profiles.map((p) => p.name))} ` +
            `has it as ${column}: assign another package there first (POST /api/deviceProfile).`,
        );
      }
      const devices = tx.getRepository(DeviceEntity);
      const [named, count] = await devices.findAndCount({
        where: { [column]: found.id },
        select: { name: true },
        order: { name: 'ASC' },
        take: NAMES_SHOWN,
      });
      if (count) {
        const more = count > named.length ? ` and ${count - named.length} more` : '';
        throw ApiError.badRequest(
          `The ${what} referenced by the devices cannot be deleted! Device ${quoted(named.map((d) => d.name))}${more} ` +
            `has it as ${column}: clear it there first (POST /api/device).`,
        );
      }
      await tx.getRepository(OtaPackageEntity).delete({ id: found.id });
    });
    await this.binaries.remove(found.id);
    await this.record(user, found, 'DELETED');
  }

  /** The binary to download over REST; URL packages and packages without a binary have none. */
  async download(user: SecurityUser, id: string): Promise<{ info: OtaPackageEntity; stream: ReadStream }> {
    const found = await this.get(user, id);
    if (found.url)
      throw ApiError.badRequest(`OTA package '${found.title}' ${found.version} is a URL package: devices download it from ${found.url}`);
    if (!found.hasData) throw ApiError.notFound(`OTA package '${found.title}' ${found.version} has no binary yet: upload one first`);
    return { info: found, stream: this.binaries.stream(found.id) };
  }

  /** The package assigned to the device (its own, else its profile's), device-api.md §1.12.3. */
  async findForDevice(device: OtaDeviceRef, type: SeamOtaPackageType): Promise<OtaPackageLookup> {
    const column = type === 'FIRMWARE' ? 'firmware_id' : 'software_id';
    const row = await this.db
      .createQueryBuilder()
      .select(`COALESCE(d.${column}, p.${column})`, 'packageId')
      .from('device', 'd')
      .innerJoin('device_profile', 'p', 'p.id = d.device_profile_id')
      .where('d.id = :id AND d.tenant_id = :tenantId', { id: device.deviceId, tenantId: device.tenantId })
      .getRawOne<{ packageId: string | null }>();
    const found = row?.packageId ? await this.packages.findOneBy({ id: row.packageId, tenantId: device.tenantId }) : null;
    if (!found) return { ok: false, error: 'NOT_FOUND' };
    if (found.url || !found.hasData) return { ok: false, error: 'FAILURE' };
    return {
      ok: true,
      package: {
        packageId: found.id,
        title: found.title,
        version: found.version,
        size: found.dataSize ?? 0,
        fileName: found.fileName ?? found.id,
        contentType: found.contentType ?? 'application/octet-stream',
        checksumAlgorithm: found.checksumAlgorithm ?? '',
        checksum: found.checksum ?? '',
      },
    };
  }

  /** A chunk of the binary of a package of the device's tenant; past the end → empty. */
  async readChunk(device: OtaDeviceRef, packageId: string, chunkSize: number, chunk: number): Promise<Uint8Array> {
    const found = await this.packages.findOne({
      where: { id: packageId, tenantId: device.tenantId },
      select: { id: true, dataSize: true, hasData: true },
    });
    if (!found?.hasData) throw new Error(`OTA package ${packageId} has no binary in this device's tenant`);
    const { offset, length } = chunkRange(found.dataSize ?? 0, chunkSize, chunk);
    return length === 0 ? new Uint8Array() : this.binaries.read(found.id, offset, length);
  }

  private async validInfo(tenantId: string, dto: SaveOtaPackageInfoDto) {
    const title = dto.title?.trim();
    if (!title) throw ApiError.badRequest('OtaPackage title should be specified!');
    const type = dto.type as OtaPackageType | undefined;
    if (!type) throw ApiError.badRequest('Type should be specified!');
    if (!OTA_PACKAGE_TYPES.includes(type)) throw ApiError.badRequest(`Unknown OTA package type '${dto.type}': use FIRMWARE or SOFTWARE`);
    const version = dto.version?.trim();
    if (!version) throw ApiError.badRequest('OtaPackage version should be specified!');
    const url = dto.url?.trim() || null;
    if (dto.usesUrl && !url) throw ApiError.badRequest('Ota package URL should be specified!');
    const tag = dto.tag?.trim() || null;
    for (const [name, value] of [
      ['title', title],
      ['version', version],
      ['tag', tag],
      ['url', url],
    ] as const) {
      if (value && value.length > TEXT_MAX) throw ApiError.badRequest(`The length of ${name} should be equal or shorter than ${TEXT_MAX}`);
    }
    // ThingsBoard lets this be empty, but such a package can never be assigned: ask for it up front.
    if (!dto.deviceProfileId?.id) throw ApiError.badRequest('OtaPackage should be assigned to a device profile: set deviceProfileId');
    const deviceProfileId = parseUuid(dto.deviceProfileId.id);
    if (!(await this.db.getRepository(DeviceProfileEntity).existsBy({ id: deviceProfileId, tenantId }))) {
      throw ApiError.badRequest('OtaPackage is referencing to non-existent device profile!');
    }
    return { title, version, tag, type, url, deviceProfileId, additionalInfo: dto.additionalInfo ?? {} };
  }

  private record(user: SecurityUser, p: OtaPackageEntity, actionType: ActionType): Promise<void> {
    return this.audit.record({ user, entityType: 'OTA_PACKAGE', entityId: p.id, entityName: p.title, actionType });
  }
}

const quoted = (names: string[]) => names.map((name) => `'${name}'`).join(', ');

/** ThingsBoard's rule: a saved package's description is fixed; only additionalInfo changes. */
function refuseChangedInfo(
  existing: OtaPackageEntity,
  next: Pick<OtaPackageEntity, 'type' | 'title' | 'version' | 'tag' | 'deviceProfileId' | 'url'>,
) {
  const fixed: [keyof typeof next, string][] = [
    ['type', 'Updating type is prohibited!'],
    ['title', 'Updating otaPackage title is prohibited!'],
    ['version', 'Updating otaPackage version is prohibited!'],
    ['tag', 'Updating otaPackage tag is prohibited!'],
    ['deviceProfileId', 'Updating otaPackage deviceProfile is prohibited!'],
  ];
  for (const [field, message] of fixed) if ((existing[field] ?? null) !== (next[field] ?? null)) throw ApiError.badRequest(message);
  if (existing.url !== null && existing.url !== next.url) throw ApiError.badRequest('Updating otaPackage URL is prohibited!');
  if (existing.url === null && next.url !== null) throw ApiError.badRequest("File can't be saved if URL present!");
}

/** A binary is uploaded once; a URL package never takes one. */
function refuseStored(p: OtaPackageEntity): OtaPackageEntity {
  if (p.url) throw ApiError.badRequest(`File can't be saved if URL present! OTA package '${p.title}' ${p.version} is a URL package`);
  if (p.hasData) {
    throw ApiError.badRequest(
      `Updating otaPackage data is prohibited! '${p.title}' ${p.version} already has its binary: create a package with a new version`,
    );
  }
  return p;
}

function refuseContent(file: ReceivedFile, algorithm: ChecksumAlgorithm, expected: string | undefined): void {
  if (file.size === 0) throw ApiError.badRequest('OtaPackage data should be specified! The uploaded file is empty');
  if ([...file.originalname].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw ApiError.badRequest('The file name has control characters: rename the file and upload it again');
  }
  const given = expected?.trim().toLowerCase();
  if (given && given !== file.checksum) {
    throw ApiError.badRequest(
      `Wrong otaPackage file! Its ${algorithm} checksum is ${file.checksum}, not the given ${expected}: check the file or the checksum`,
    );
  }
}
