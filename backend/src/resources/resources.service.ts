import type { Lwm2mModelFile, ResourceDescription } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Brackets, Repository } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import { newId, NULL_UUID } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { ApiError } from '../errors/api-error';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { PluginRegistry } from '../plugins/plugin-registry';
import type { SaveResourceDto } from './dto/save-resource.dto';
import { ResourceEntity, THINGSBOARD_RESOURCE_TYPES, type ResourceType } from './resource.entity';

/** API sort names → entity fields (ThingsBoard's allowable values). */
export const RESOURCE_SORTABLE = { createdTime: 'createdTime', title: 'title', resourceType: 'resourceType', tenantId: 'tenantId' };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The resource library (ThingsBoard's `/api/resource`), for LwM2M object models: a tenant's models and the system
 * administrator's (which every tenant sees and the LwM2M transport uses, a tenant's own model of the same object
 * and version taking precedence).
 */
@Injectable()
export class ResourcesService {
  constructor(
    @InjectRepository(ResourceEntity) private readonly resources: Repository<ResourceEntity>,
    private readonly plugins: PluginRegistry,
  ) {}

  /** Creates a resource (no id) or replaces the file of one; an LwM2M model is parsed and keyed `{objectId}_{version}`. */
  async save(user: SecurityUser, dto: SaveResourceDto): Promise<ResourceEntity> {
    const existing = dto.id?.id ? await this.own(user, dto.id.id) : undefined;
    const resourceType = this.validType(dto.resourceType ?? existing?.resourceType);
    const fileName = dto.fileName?.trim() || existing?.fileName;
    if (!fileName) throw ApiError.badRequest('Resource file name should be specified!');
    if (!dto.data) throw ApiError.badRequest('Resource data should be specified!');
    const compact = dto.data.replace(/\s/g, '');
    if (!BASE64.test(compact)) throw ApiError.badRequest(`Resource data of ${fileName} must be the file in Base64`);
    const file = Buffer.from(compact, 'base64');
    let described: ResourceDescription;
    try {
      described = this.describer(resourceType)(file, fileName);
    } catch (e) {
      throw ApiError.badRequest((e as Error).message);
    }
    const resourceKey = described.key;
    const entity: ResourceEntity = {
      id: existing?.id ?? newId(),
      createdTime: existing?.createdTime ?? Date.now(),
      tenantId: user.tenantId,
      title: dto.title?.trim() || existing?.title || described.title,
      resourceType,
      resourceKey,
      fileName,
      searchText: described.searchText,
      etag: createHash('sha256').update(file).digest('hex'),
      data: file.toString('base64'),
    };
    try {
      return await this.resources.save(entity);
    } catch (e) {
      if (isUniqueViolation(e)) throw ApiError.badRequest('Resource with such resourceKey already exists!');
      throw e;
    }
  }

  /** A resource the caller may read: its tenant's, or the system administrator's. */
  async get(user: SecurityUser, id: string): Promise<ResourceEntity> {
    const resourceId = parseUuid(id);
    const found = await this.resources.findOneBy({ id: resourceId });
    if (!found) throw ApiError.notFound(`Resource with id [${resourceId}] is not found`);
    if (found.tenantId !== user.tenantId && found.tenantId !== NULL_UUID) throw ApiError.forbidden();
    return found;
  }

  async delete(user: SecurityUser, id: string): Promise<void> {
    const found = await this.own(user, id);
    await this.resources.delete({ id: found.id });
  }

  /**
   * A page of resource infos: a tenant administrator's own and the system's (`ownOnly`: only its own); the system
   * administrator's own.
   */
  async page(
    user: SecurityUser,
    link: PageLink,
    filter: { resourceType?: string; ownOnly?: boolean } = {},
  ): Promise<PageData<ResourceEntity>> {
    const query = this.resources
      .createQueryBuilder('r')
      .select([
        'r.id',
        'r.createdTime',
        'r.tenantId',
        'r.title',
        'r.resourceType',
        'r.resourceKey',
        'r.fileName',
        'r.searchText',
        'r.etag',
      ]);
    const tenants = filter.ownOnly || user.tenantId === NULL_UUID ? [user.tenantId] : [user.tenantId, NULL_UUID];
    query.where('r.tenantId IN (:...tenants)', { tenants });
    if (filter.resourceType) query.andWhere('r.resourceType = :type', { type: this.validType(filter.resourceType) });
    if (link.textSearch)
      query.andWhere(
        new Brackets((q) =>
          q
            .where(`LOWER(r.title) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch!) })
            .orWhere(`LOWER(r.searchText) LIKE :pattern ESCAPE '\\'`),
        ),
      );
    query.orderBy(`r.${link.sortProperty ?? 'createdTime'}`, link.sortProperty ? link.sortOrder : 'ASC').addOrderBy('r.id', 'ASC');
    const [rows, total] = await query
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(rows, total, link);
  }

  /** The LwM2M models a tenant's devices use: the system's first, then the tenant's own (which win on the same key). */
  async lwm2mModels(tenantId: string): Promise<Lwm2mModelFile[]> {
    const rows = await this.resources
      .createQueryBuilder('r')
      .select(['r.tenantId', 'r.fileName', 'r.data'])
      .where('r.resourceType = :type AND r.tenantId IN (:...tenants)', { type: 'LWM2M_MODEL', tenants: [NULL_UUID, tenantId] })
      .getMany();
    rows.sort((a, b) => Number(a.tenantId !== NULL_UUID) - Number(b.tenantId !== NULL_UUID));
    return rows.map((row) => ({ fileName: row.fileName, xml: Buffer.from(row.data, 'base64').toString('utf8') }));
  }

  /** The resource types the loaded transports read (today `LWM2M_MODEL`, from the LwM2M transport). */
  private describers(): Map<string, (file: Uint8Array, fileName: string) => ResourceDescription> {
    return new Map(this.plugins.transports().flatMap(({ transport }) => Object.entries(transport.resourceTypes ?? {})));
  }

  private describer(type: ResourceType): (file: Uint8Array, fileName: string) => ResourceDescription {
    return this.describers().get(type)!;
  }

  private validType(raw: string | undefined): ResourceType {
    if (!raw) throw ApiError.badRequest('Resource type should be specified!');
    const supported = [...this.describers().keys()];
    if (supported.includes(raw)) return raw as ResourceType;
    const known = (THINGSBOARD_RESOURCE_TYPES as readonly string[]).includes(raw);
    throw ApiError.badRequest(
      `${known ? `Resource type ${raw} is not supported by Edgewise` : `Unknown resource type '${raw}'`}: ` +
        `the resource library holds ${supported.join(', ') || 'no types (no transport that reads resources is loaded)'}`,
    );
  }

  /** A resource of the caller's own tenant (to change or delete): the system's are read-only for tenants. */
  private async own(user: SecurityUser, id: string): Promise<ResourceEntity> {
    const found = await this.get(user, id);
    if (found.tenantId !== user.tenantId) throw ApiError.forbidden();
    return found;
  }
}
