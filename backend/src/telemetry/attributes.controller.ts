import { Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditLogService } from '../audit-log/audit-log.service';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { CoreMessages } from '../rule-engine/core-messages';
import { AttributesService } from './attributes.service';
import { readJson } from './json-reader';
import type { AttributeScope, KvEntry } from './kv-entry';
import { attributesJson } from './kv-json';
import { isJsonObject, KvParseError, toKvEntries } from './kv-typing';
import { keysParam, QueryParams, scopeParam, TelemetryRequests } from './telemetry-request';

/** Attribute half of ThingsBoard's TelemetryController (device-api.md §8.5). */
@ApiTags('telemetry')
@ApiBearerAuth()
@Controller('api/plugins/telemetry')
@Roles('TENANT_ADMIN', 'CUSTOMER_USER')
export class AttributesController {
  constructor(
    private readonly attributes: AttributesService,
    private readonly requests: TelemetryRequests,
    private readonly audit: AuditLogService,
    private readonly messages: CoreMessages,
  ) {}

  @Get([':entityType/:entityId/keys/attributes', ':entityType/:entityId/keys/attributes/:scope'])
  async keys(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') entityId: string,
    @Param('scope') scope?: string,
  ) {
    const device = await this.requests.device(user, entityType, entityId);
    return this.attributes.keys(device.id, scope === undefined ? undefined : scopeParam(scope));
  }

  @Get([':entityType/:entityId/values/attributes', ':entityType/:entityId/values/attributes/:scope'])
  @Header('Content-Type', 'application/json')
  async values(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') entityId: string,
    @Query() query: QueryParams,
    @Param('scope') scope?: string,
  ) {
    const device = await this.requests.device(user, entityType, entityId);
    return attributesJson(await this.attributes.find(device.id, scope === undefined ? undefined : scopeParam(scope), keysParam(query)));
  }

  @Post([':entityType/:entityId/attributes/:scope', ':entityType/:entityId/:scope'])
  @HttpCode(200)
  save(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') entityId: string,
    @Param('scope') scope: string,
    @Req() request: Request,
  ) {
    return this.saveAttributes(user, entityType, entityId, scope, request);
  }

  /** ThingsBoard's short form without the entity type. */
  @Post(':deviceId/:scope')
  @HttpCode(200)
  saveForDevice(
    @CurrentUser() user: SecurityUser,
    @Param('deviceId') deviceId: string,
    @Param('scope') scope: string,
    @Req() request: Request,
  ) {
    return this.saveAttributes(user, 'DEVICE', deviceId, scope, request);
  }

  @Delete(':entityType/:entityId/:scope')
  delete(
    @CurrentUser() user: SecurityUser,
    @Param('entityType') entityType: string,
    @Param('entityId') entityId: string,
    @Param('scope') scope: string,
    @Query() query: QueryParams,
  ) {
    return this.deleteAttributes(user, entityType, entityId, scope, query);
  }

  @Delete(':deviceId/:scope')
  deleteForDevice(
    @CurrentUser() user: SecurityUser,
    @Param('deviceId') deviceId: string,
    @Param('scope') scope: string,
    @Query() query: QueryParams,
  ) {
    return this.deleteAttributes(user, 'DEVICE', deviceId, scope, query);
  }

  /** Checks in ThingsBoard's order, with its messages (research notes §3.1). */
  private async saveAttributes(
    user: SecurityUser,
    entityType: string,
    entityId: string,
    rawScope: string,
    request: Request,
  ): Promise<void> {
    const scope = scopeParam(rawScope);
    if (scope === 'CLIENT_SCOPE') throw ApiError.badRequest(`Invalid scope: ${scope}`);
    const entries = this.entriesOf(await this.requests.bodyText(request));
    const device = await this.requests.device(user, entityType, entityId);
    await this.attributes.save(device.id, scope, entries);
    const values = Object.fromEntries(entries.map((e) => [e.key, typeof e.value === 'bigint' ? e.value.toString() : e.value]));
    await this.audit.recordDevice(user, device, 'ATTRIBUTES_UPDATED', { scope, attributes: values });
    await this.messages.attributesUpdated(user, device, scope, entries);
  }

  private entriesOf(text: string): KvEntry[] {
    let json: unknown;
    try {
      json = readJson(text);
    } catch {
      throw ApiError.badRequest('Invalid JSON');
    }
    if (!isJsonObject(json)) throw ApiError.badRequest('Request is not a JSON object');
    const keys = Object.keys(json);
    if (keys.length === 0) throw ApiError.badRequest('No attributes data found in request body!');
    if (keys.some((k) => k.trim() === '')) throw ApiError.badRequest('Key cannot be blank');
    try {
      return toKvEntries(json);
    } catch (e) {
      if (e instanceof KvParseError) throw ApiError.badRequest(e.message);
      throw e;
    }
  }

  private async deleteAttributes(
    user: SecurityUser,
    entityType: string,
    entityId: string,
    rawScope: string,
    query: QueryParams,
  ): Promise<void> {
    const scope: AttributeScope = scopeParam(rawScope);
    const keys = keysParam(query) ?? [];
    if (keys.length === 0) throw ApiError.badRequest('Empty keys: [] (name the attributes to delete with keys=a,b)');
    const device = await this.requests.device(user, entityType, entityId);
    const deleted = await this.attributes.delete(device.id, scope, keys);
    await this.audit.recordDevice(user, device, 'ATTRIBUTES_DELETED', { scope, attributes: deleted });
    // ThingsBoard reports the keys asked for, whether or not each existed.
    await this.messages.attributesDeleted(user, device, scope, keys);
  }
}
