import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { RelationDirection } from '@edgewise/plugin-api';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { parseEntityId } from './entity-directory';
import { relationInfoJson, relationJson } from './relation.json';
import { parseRelationsQuery, parseRelationType, queryTypeGroup, relationKeyFromQuery } from './relation-requests';
import { RelationsService, RelationWithNames } from './relations.service';

type Params = Record<string, string | undefined>;

const RELATION_EXAMPLE = {
  from: { entityType: 'DEVICE', id: '784f394c-42b6-435a-983c-b7beff2784f9' },
  to: { entityType: 'DEVICE', id: '2b1a2c3d-42b6-435a-983c-b7beff2784f9' },
  type: 'Contains',
  typeGroup: 'COMMON',
  additionalInfo: null,
};
const QUERY_EXAMPLE = {
  parameters: {
    rootId: '784f394c-42b6-435a-983c-b7beff2784f9',
    rootType: 'DEVICE',
    direction: 'FROM',
    relationTypeGroup: 'COMMON',
    maxLevel: 1,
    fetchLastLevelOnly: false,
  },
  filters: [{ relationType: 'Contains', entityTypes: ['DEVICE'] }],
};

const plain = (found: RelationWithNames[]) => found.map((f) => relationJson(f.relation));
const withNames = (found: RelationWithNames[]) => found.map((f) => relationInfoJson(f.relation, f.fromName, f.toName));

/** The root of `GET /api/relations?fromId=&fromType=` (FROM) or `?toId=&toType=` (TO). */
function rootFromQuery(query: Params): { root: ReturnType<typeof parseEntityId>; direction: RelationDirection } {
  if (query.fromId || query.fromType) return { root: parseEntityId(query.fromType, query.fromId, "'from' entity"), direction: 'FROM' };
  if (query.toId || query.toType) return { root: parseEntityId(query.toType, query.toId, "'to' entity"), direction: 'TO' };
  throw ApiError.badRequest("Give the entity: 'fromId' and 'fromType' (relations from it) or 'toId' and 'toType' (relations to it)");
}

/**
 * ThingsBoard's EntityRelationController: the legacy query-parameter paths, the path-variable forms newer
 * clients use, and `/api/v2/relation` (answers with the relation).
 */
@ApiTags('relations')
@ApiBearerAuth()
@Controller('api')
@Roles('SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER')
export class RelationsController {
  constructor(private readonly relations: RelationsService) {}

  @Post('relation')
  @HttpCode(200)
  @ApiBody({ schema: { example: RELATION_EXAMPLE } })
  async save(@CurrentUser() user: SecurityUser, @Body() body: unknown): Promise<void> {
    await this.relations.save(user, body);
  }

  @Post('v2/relation')
  @HttpCode(200)
  @ApiBody({ schema: { example: RELATION_EXAMPLE } })
  async saveV2(@CurrentUser() user: SecurityUser, @Body() body: unknown) {
    return relationJson(await this.relations.save(user, body));
  }

  @Delete('relation')
  async delete(@CurrentUser() user: SecurityUser, @Query() query: Params): Promise<void> {
    await this.relations.delete(user, relationKeyFromQuery(query));
  }

  @Delete('v2/relation')
  async deleteV2(@CurrentUser() user: SecurityUser, @Query() query: Params) {
    return relationJson(await this.relations.delete(user, relationKeyFromQuery(query)));
  }

  /** Every COMMON relation from and to the entity. */
  @Delete('relations')
  async deleteCommon(@CurrentUser() user: SecurityUser, @Query() query: Params): Promise<void> {
    await this.relations.deleteCommonRelations(user, parseEntityId(query.entityType, query.entityId));
  }

  @Get('relation')
  async get(@CurrentUser() user: SecurityUser, @Query() query: Params) {
    return relationJson(await this.relations.get(user, relationKeyFromQuery(query)));
  }

  @Get('relations')
  async list(@CurrentUser() user: SecurityUser, @Query() query: Params) {
    return plain(await this.listByQuery(user, query));
  }

  @Get('relations/info')
  async listInfo(@CurrentUser() user: SecurityUser, @Query() query: Params) {
    return withNames(await this.listByQuery(user, query));
  }

  @Get('relations/from/:fromType/:fromId')
  async from(@CurrentUser() user: SecurityUser, @Param() path: Params, @Query() query: Params) {
    return plain(await this.listByPath(user, 'FROM', path.fromType, path.fromId, query));
  }

  @Get('relations/from/:fromType/:fromId/:relationType')
  async fromOfType(@CurrentUser() user: SecurityUser, @Param() path: Params, @Query() query: Params) {
    return plain(await this.listByPath(user, 'FROM', path.fromType, path.fromId, query, path.relationType));
  }

  @Get('relations/to/:toType/:toId')
  async to(@CurrentUser() user: SecurityUser, @Param() path: Params, @Query() query: Params) {
    return plain(await this.listByPath(user, 'TO', path.toType, path.toId, query));
  }

  @Get('relations/to/:toType/:toId/:relationType')
  async toOfType(@CurrentUser() user: SecurityUser, @Param() path: Params, @Query() query: Params) {
    return plain(await this.listByPath(user, 'TO', path.toType, path.toId, query, path.relationType));
  }

  @Get('relations/info/from/:fromType/:fromId')
  async infoFrom(@CurrentUser() user: SecurityUser, @Param() path: Params, @Query() query: Params) {
    return withNames(await this.listByPath(user, 'FROM', path.fromType, path.fromId, query));
  }

  @Get('relations/info/to/:toType/:toId')
  async infoTo(@CurrentUser() user: SecurityUser, @Param() path: Params, @Query() query: Params) {
    return withNames(await this.listByPath(user, 'TO', path.toType, path.toId, query));
  }

  /** EntityRelationsQuery: related entities over several levels, filtered by relation type and entity type. */
  @Post('relations')
  @HttpCode(200)
  @ApiBody({ schema: { example: QUERY_EXAMPLE } })
  async query(@CurrentUser() user: SecurityUser, @Body() body: unknown) {
    return plain(await this.relations.query(user, parseRelationsQuery(body)));
  }

  @Post('relations/info')
  @HttpCode(200)
  @ApiBody({ schema: { example: QUERY_EXAMPLE } })
  async queryInfo(@CurrentUser() user: SecurityUser, @Body() body: unknown) {
    return withNames(await this.relations.query(user, parseRelationsQuery(body)));
  }

  private listByQuery(user: SecurityUser, query: Params): Promise<RelationWithNames[]> {
    const { root, direction } = rootFromQuery(query);
    const type = query.relationType === undefined ? undefined : parseRelationType(query.relationType);
    return this.relations.list(user, root, direction, queryTypeGroup(query.relationTypeGroup), type);
  }

  private listByPath(
    user: SecurityUser,
    direction: RelationDirection,
    rawType: string | undefined,
    rawId: string | undefined,
    query: Params,
    relationType?: string,
  ): Promise<RelationWithNames[]> {
    const root = parseEntityId(rawType, rawId, direction === 'FROM' ? "'from' entity" : "'to' entity");
    return this.relations.list(user, root, direction, queryTypeGroup(query.relationTypeGroup), relationType);
  }
}
