import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import { newId } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { UserEntity } from '../users/user.entity';
import { AlarmCommentEntity, AlarmEntity } from './alarm.entity';
import { alarmCommentInfoJson } from './alarm.json';
import type { AlarmCommentDto } from './dto/alarm.dto';

/** ThingsBoard's system comment kinds and their sentences (AlarmCommentSubType). */
const SYSTEM_COMMENTS = {
  ACKED_BY_USER: (user: string) => `Alarm was acknowledged by user ${user}`,
  CLEARED_BY_USER: (user: string) => `Alarm was cleared by user ${user}`,
  ASSIGNED_TO_USER: (user: string, assignee: string) => `Alarm was assigned by user ${user} to user ${assignee}`,
  UNASSIGNED_BY_USER: (user: string) => `Alarm was unassigned by user ${user}`,
  COMMENT_DELETED: (user: string) => `Comment was deleted by user ${user}`,
};

/** ThingsBoard's User.getTitle: "First Last", else the e-mail. */
export const userTitle = (u: Pick<UserEntity, 'firstName' | 'lastName' | 'email'>): string =>
  [u.firstName, u.lastName].filter(Boolean).join(' ') || u.email;

export const COMMENT_SORTABLE = { createdTime: 'createdTime', id: 'id' };

/** Alarm comments (rest-api.md §3.4): users' own ones, and the SYSTEM ones acks, clears and assignments leave. */
@Injectable()
export class AlarmCommentsService {
  constructor(
    @InjectRepository(AlarmCommentEntity) private readonly comments: Repository<AlarmCommentEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  async title(user: SecurityUser): Promise<string> {
    const entity = await this.users.findOneBy({ id: user.id });
    return entity ? userTitle(entity) : user.email;
  }

  /** A SYSTEM comment such as "Alarm was acknowledged by user …", attributed to the user who acted. */
  async addSystem(
    alarm: AlarmEntity,
    user: SecurityUser,
    subtype: 'ACKED_BY_USER' | 'CLEARED_BY_USER' | 'UNASSIGNED_BY_USER',
  ): Promise<void>;
  async addSystem(alarm: AlarmEntity, user: SecurityUser, subtype: 'ASSIGNED_TO_USER', assignee: UserEntity): Promise<void>;
  async addSystem(alarm: AlarmEntity, user: SecurityUser, subtype: keyof typeof SYSTEM_COMMENTS, assignee?: UserEntity): Promise<void> {
    const userName = await this.title(user);
    const assigneeName = assignee ? userTitle(assignee) : '';
    const comment = {
      text: SYSTEM_COMMENTS[subtype](userName, assigneeName),
      subtype,
      userName,
      ...(assignee ? { assigneeName } : {}),
    };
    await this.comments.save({ id: newId(), createdTime: Date.now(), alarmId: alarm.id, userId: user.id, type: 'SYSTEM', comment });
  }

  /** Adds a comment, or edits the caller's own comment when the body has an id. */
  async save(user: SecurityUser, alarm: AlarmEntity, dto: AlarmCommentDto): Promise<AlarmCommentEntity> {
    if (!dto.comment || typeof dto.comment !== 'object') throw ApiError.badRequest('Alarm comment should be specified!');
    if (!dto.id?.id) {
      return this.comments.save({
        id: newId(),
        createdTime: Date.now(),
        alarmId: alarm.id,
        userId: user.id,
        type: 'OTHER',
        comment: dto.comment,
      });
    }
    const existing = await this.ownComment(user, alarm, dto.id.id, 'edit');
    if (existing.type === 'SYSTEM') throw ApiError.badRequest("System alarm comment can't be updated!");
    return this.comments.save({ ...existing, comment: { ...dto.comment, edited: 'true', editedOn: Date.now() } });
  }

  /** Turns a user comment into a SYSTEM comment saying who deleted it (ThingsBoard keeps the thread). */
  async delete(user: SecurityUser, alarm: AlarmEntity, commentId: string): Promise<AlarmCommentEntity> {
    const existing =
      user.authority === 'TENANT_ADMIN' ? await this.find(alarm, commentId) : await this.ownComment(user, alarm, commentId, 'delete');
    if (existing.type !== 'OTHER') throw ApiError.badRequest('System comment could not be deleted');
    const userName = await this.title(user);
    return this.comments.save({
      ...existing,
      type: 'SYSTEM',
      userId: null,
      comment: { text: SYSTEM_COMMENTS.COMMENT_DELETED(userName), subtype: 'COMMENT_DELETED', userName },
    });
  }

  async page(alarm: AlarmEntity, link: PageLink) {
    const [rows, total] = await this.comments.findAndCount({
      where: { alarmId: alarm.id },
      order: { [link.sortProperty ?? 'createdTime']: link.sortProperty ? link.sortOrder : 'ASC', id: 'ASC' },
      skip: link.page * link.pageSize,
      take: link.pageSize,
    });
    const authorIds = [...new Set(rows.flatMap((c) => (c.userId ? [c.userId] : [])))];
    const authors = new Map((await this.users.findBy({ id: In(authorIds) })).map((u) => [u.id, u]));
    const page: PageData<ReturnType<typeof alarmCommentInfoJson>> = toPageData(
      rows.map((c) => alarmCommentInfoJson(c, c.userId ? authors.get(c.userId) : undefined)),
      total,
      link,
    );
    return page;
  }

  private async find(alarm: AlarmEntity, rawId: string): Promise<AlarmCommentEntity> {
    const id = parseUuid(rawId);
    const comment = await this.comments.findOneBy({ id, alarmId: alarm.id });
    if (!comment) throw ApiError.notFound(`Alarm comment with id [${id}] is not found`);
    return comment;
  }

  private async ownComment(
    user: SecurityUser,
    alarm: AlarmEntity,
    rawId: string,
    operation: 'edit' | 'delete',
  ): Promise<AlarmCommentEntity> {
    const comment = await this.find(alarm, rawId);
    if (comment.userId && comment.userId !== user.id) throw ApiError.forbidden(`User is not allowed to ${operation} other user's comment`);
    return comment;
  }
}
