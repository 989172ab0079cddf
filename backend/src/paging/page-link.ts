import { ApiError } from '../errors/api-error';

/** ThingsBoard's PageData. */
export interface PageData<T> {
  data: T[];
  totalPages: number;
  totalElements: number;
  hasNext: boolean;
}

export interface PageLink {
  pageSize: number;
  page: number;
  textSearch?: string;
  /** Already mapped to a column the entity allows. */
  sortProperty?: string;
  sortOrder: 'ASC' | 'DESC';
}

export interface PageQuery {
  pageSize?: string;
  page?: string;
  textSearch?: string;
  sortProperty?: string;
  sortOrder?: string;
}

/**
 * Validates paging parameters with ThingsBoard's messages (rest-api.md §0.4). `sortable` maps the API's
 * sort property names to entity fields; anything else is refused so no input reaches ORDER BY unchecked.
 */
export function parsePageLink(query: PageQuery, sortable: Record<string, string>): PageLink {
  const pageSize = parseWhole(query.pageSize, 'pageSize');
  const page = parseWhole(query.page, 'page');
  if (pageSize < 1) throw ApiError.badRequest(`Incorrect page link page size '${pageSize}'. Page size must be greater than zero.`);
  if (page < 0) throw ApiError.badRequest(`Incorrect page link page '${page}'. Page must be positive integer.`);
  let sortOrder: 'ASC' | 'DESC' = 'ASC';
  if (query.sortOrder) {
    const order = query.sortOrder.toUpperCase();
    if (order !== 'ASC' && order !== 'DESC')
      throw ApiError.badRequest(`Unsupported sort order '${query.sortOrder}'! Only 'ASC' or 'DESC' types are allowed.`);
    sortOrder = order;
  }
  let sortProperty: string | undefined;
  if (query.sortProperty) {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(query.sortProperty)) throw ApiError.badRequest('Invalid sort property');
    sortProperty = sortable[query.sortProperty];
    if (!sortProperty)
      throw ApiError.badRequest(`Unsupported sort property '${query.sortProperty}'. Use one of: ${Object.keys(sortable).join(', ')}`);
  }
  const textSearch = query.textSearch?.trim() || undefined;
  return { pageSize, page, textSearch, sortProperty, sortOrder };
}

function parseWhole(raw: string | undefined, name: string): number {
  if (raw === undefined || raw === '') throw ApiError.badRequest(`Required request parameter '${name}' is not present`);
  if (!/^-?\d+$/.test(raw)) throw ApiError.badRequest(`Request parameter '${name}' must be a whole number, got '${raw}'`);
  return Number(raw);
}

export function toPageData<T>(data: T[], totalElements: number, link: PageLink): PageData<T> {
  const totalPages = Math.ceil(totalElements / link.pageSize);
  return { data, totalPages, totalElements, hasNext: (link.page + 1) * link.pageSize < totalElements };
}

/** `%` and `_` in the user's search text match themselves, not any character. */
export const likePattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
