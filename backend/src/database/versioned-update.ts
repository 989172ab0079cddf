import type { FindOptionsWhere, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ApiError } from '../errors/api-error';
import { EntityType, normalName } from './ids';

/**
 * Saves changes under optimistic locking (rest-api.md §0.3): a stale `requestedVersion` is a 409, a null one
 * overwrites, and every save bumps the version. The version also guards the UPDATE itself, so a save that
 * raced with another one since `existing` was read is refused rather than silently lost.
 */
export async function updateVersioned<T extends { id: string; version: number }>(
  repo: Repository<T>,
  entityType: EntityType,
  existing: T,
  requestedVersion: number | null | undefined,
  changes: QueryDeepPartialEntity<T>,
): Promise<T> {
  if (requestedVersion != null && requestedVersion !== existing.version) throw ApiError.versionConflict(normalName(entityType));
  const byIdAndVersion = { id: existing.id, version: existing.version } as FindOptionsWhere<T>;
  const result = await repo.update(byIdAndVersion, { ...changes, version: existing.version + 1 } as QueryDeepPartialEntity<T>);
  if (!result.affected) throw ApiError.versionConflict(normalName(entityType));
  return (await repo.findOneBy({ id: existing.id } as FindOptionsWhere<T>))!;
}
