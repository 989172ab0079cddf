import { Brackets, DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { DeviceEntity } from './device.entity';

/**
 * Joins the device's SERVER_SCOPE attribute `key` (a device-state key such as `active`) to a device query
 * (alias `d`) and returns the join's alias. Lower case, as PostgreSQL folds unquoted names.
 */
export function joinServerAttribute(query: SelectQueryBuilder<ObjectLiteral>, key: string): string {
  const alias = `s_${key.toLowerCase()}`;
  query.leftJoin(
    'attribute_kv',
    alias,
    `${alias}.entity_id = d.id AND ${alias}.attribute_scope = 'SERVER_SCOPE' AND ${alias}.attribute_key = '${key}'`,
  );
  return alias;
}

/** A boolean column as SQLite (1) and PostgreSQL (true) return it. */
export const isSqlTrue = (value: unknown): boolean => value === true || value === 1;

/**
 * One page of a device query (alias `d`, selecting `d.id` as `id`): the link's text search on name and label,
 * its sort (created time by default, the id breaking ties), and each row with its device. A device deleted
 * between the two reads is left out.
 */
export async function pageOfDevices<Row extends { id: string }, Item>(
  db: DataSource,
  query: SelectQueryBuilder<ObjectLiteral>,
  link: PageLink,
  toItem: (device: DeviceEntity, row: Row) => Item,
): Promise<PageData<Item>> {
  if (link.textSearch) {
    const pattern = likePattern(link.textSearch);
    query.andWhere(
      new Brackets((q) =>
        q.where(`LOWER(d.name) LIKE :pattern ESCAPE '\\'`, { pattern }).orWhere(`LOWER(d.label) LIKE :pattern ESCAPE '\\'`, { pattern }),
      ),
    );
  }
  const total = await query.clone().select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
  query.orderBy(link.sortProperty ?? 'd.created_time', link.sortProperty ? link.sortOrder : 'ASC').addOrderBy('d.id', 'ASC');
  const rows = await query
    .offset(link.page * link.pageSize)
    .limit(link.pageSize)
    .getRawMany<Row>();
  const byId = new Map((await db.getRepository(DeviceEntity).findBy(rows.map((r) => ({ id: r.id })))).map((d) => [d.id, d]));
  const data = rows.filter((row) => byId.has(row.id)).map((row) => toItem(byId.get(row.id)!, row));
  return toPageData(data, Number(total?.n ?? 0), link);
}
