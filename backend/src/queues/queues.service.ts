import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { newId, normalName, NULL_UUID } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { ApiError } from '../errors/api-error';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { QueueEvents } from './queue-events';
import { QueueEntity } from './queue.entity';
import { QueueConfig, queueConfig } from './queue.json';
import { QueueFields, validateQueue } from './queue-validation';

/** API sort names → entity properties (ThingsBoard allows createdTime, name, topic). */
export const QUEUE_SORTABLE = { createdTime: 'createdTime', name: 'name', topic: 'topic' };

/**
 * Edgewise has no "isolated rule engine" tenant profiles yet, so every tenant uses the system queues
 * (ThingsBoard's getSystemOrIsolatedTenantId for a non-isolated tenant).
 */
const QUEUE_OWNER = NULL_UUID;

/** Rule-engine queues: the REST API's storage and what the rule engine reads to run them. */
@Injectable()
export class QueuesService {
  constructor(
    @InjectRepository(QueueEntity) private readonly queues: Repository<QueueEntity>,
    @InjectRepository(DeviceProfileEntity) private readonly profiles: Repository<DeviceProfileEntity>,
    private readonly events: QueueEvents,
  ) {}

  /** Every queue the rule engine runs, oldest first. */
  async findAll(): Promise<QueueConfig[]> {
    const queues = await this.queues.find({ where: { tenantId: QUEUE_OWNER }, order: { createdTime: 'ASC', name: 'ASC' } });
    return queues.map(queueConfig);
  }

  async page(link: PageLink): Promise<PageData<QueueEntity>> {
    const query = this.queues.createQueryBuilder('q').where('q.tenantId = :owner', { owner: QUEUE_OWNER });
    if (link.textSearch) query.andWhere(`LOWER(q.name) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    const [data, total] = await query
      .orderBy(`q.${link.sortProperty ?? 'createdTime'}`, link.sortProperty ? link.sortOrder : 'ASC')
      .addOrderBy('q.id', 'ASC')
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(data, total, link);
  }

  async get(rawId: string): Promise<QueueEntity> {
    const id = parseUuid(rawId);
    const queue = await this.queues.findOneBy({ id });
    if (!queue) throw ApiError.notFound(`${normalName('QUEUE')} with id [${id}] is not found`);
    if (queue.tenantId !== QUEUE_OWNER) throw ApiError.forbidden();
    return queue;
  }

  async getByName(name: string): Promise<QueueEntity> {
    const queue = await this.queues.findOneBy({ tenantId: QUEUE_OWNER, name });
    if (!queue) throw ApiError.notFound();
    return queue;
  }

  /** Creates (no id) or updates (with id) a system queue with ThingsBoard's validation. */
  async save(body: unknown): Promise<QueueEntity> {
    const rawId = (body as { id?: { id?: unknown } } | null)?.id?.id;
    const existing = typeof rawId === 'string' ? await this.get(rawId) : undefined;
    const fields = validateQueue(body);
    if (existing) {
      if (existing.name !== fields.name) throw ApiError.badRequest("Queue name can't be changed!");
      if (existing.topic !== fields.topic) throw ApiError.badRequest("Queue topic can't be changed!");
    } else {
      await this.refuseTaken(fields);
    }
    const queue: QueueEntity = existing
      ? { ...existing, ...fields }
      : { id: newId(), createdTime: Date.now(), tenantId: QUEUE_OWNER, ...fields };
    try {
      await this.queues.save(queue);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      await this.refuseTaken(fields);
      throw e;
    }
    this.events.emit('changed', queue.name);
    return (await this.queues.findOneBy({ id: queue.id }))!;
  }

  /** Refused while a device profile routes its devices' messages to the queue. */
  async delete(rawId: string): Promise<void> {
    const queue = await this.get(rawId);
    if (await this.profiles.existsBy({ defaultQueueName: queue.name }))
      throw ApiError.badRequest('The queue referenced by the device profiles cannot be deleted!');
    await this.queues.delete({ id: queue.id });
    this.events.emit('changed', queue.name);
  }

  private async refuseTaken(fields: QueueFields): Promise<void> {
    if (await this.queues.existsBy({ tenantId: QUEUE_OWNER, name: fields.name }))
      throw ApiError.badRequest(`Queue with name: ${fields.name} already exists!`);
    if (await this.queues.existsBy({ tenantId: QUEUE_OWNER, topic: fields.topic }))
      throw ApiError.badRequest(`Queue with topic: ${fields.topic} already exists!`);
  }
}
