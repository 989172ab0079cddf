import { entityId } from '../database/ids';
import type { ResourceEntity } from './resource.entity';

/** TbResourceInfo as ThingsBoard serialises it. */
export function resourceInfoJson(r: ResourceEntity) {
  return {
    id: entityId('TB_RESOURCE', r.id),
    createdTime: r.createdTime,
    tenantId: entityId('TENANT', r.tenantId),
    title: r.title,
    resourceType: r.resourceType,
    resourceSubType: null,
    resourceKey: r.resourceKey,
    publicResourceKey: null,
    public: false,
    fileName: r.fileName,
    etag: r.etag,
    descriptor: null,
    externalId: null,
    name: r.title,
  };
}

/** TbResource: the info and the file (Base64). */
export const resourceJson = (r: ResourceEntity) => ({ ...resourceInfoJson(r), data: r.data });
