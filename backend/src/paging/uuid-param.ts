import { ApiError } from '../errors/api-error';
import { isUuid } from '../database/ids';

/** Path ids must be UUIDs: a malformed one is a 400 (rest-api.md §0.2), never a lookup. */
export function parseUuid(raw: string): string {
  if (!isUuid(raw)) throw ApiError.badRequest(`Invalid UUID string: ${raw}`);
  return raw.toLowerCase();
}
