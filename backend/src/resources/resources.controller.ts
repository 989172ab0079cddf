import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { SaveResourceDto } from './dto/save-resource.dto';
import type { ResourceEntity } from './resource.entity';
import { resourceInfoJson, resourceJson } from './resource.json';
import { RESOURCE_SORTABLE, ResourcesService } from './resources.service';

/** The resource library (ThingsBoard's `/api/resource`): LwM2M object models for LwM2M device profiles (device-api.md §6.2). */
@ApiTags('resources')
@ApiBearerAuth()
@Controller('api')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Post('resource')
  @HttpCode(200)
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async save(@CurrentUser() user: SecurityUser, @Body() body: SaveResourceDto) {
    return resourceInfoJson(await this.resources.save(user, body));
  }

  @Get('resource')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  @ApiQuery({ name: 'resourceType', required: false, enum: ['LWM2M_MODEL'] })
  async page(@CurrentUser() user: SecurityUser, @Query() query: PageQuery & { resourceType?: string }) {
    const page = await this.resources.page(user, parsePageLink(query, RESOURCE_SORTABLE), { resourceType: query.resourceType });
    return { ...page, data: page.data.map(resourceInfoJson) };
  }

  /** The tenant's own resources only. */
  @Get('resource/tenant')
  @Roles('TENANT_ADMIN')
  async tenantPage(@CurrentUser() user: SecurityUser, @Query() query: PageQuery) {
    const page = await this.resources.page(user, parsePageLink(query, RESOURCE_SORTABLE), { ownOnly: true });
    return { ...page, data: page.data.map(resourceInfoJson) };
  }

  @Get('resource/info/:resourceId')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async info(@CurrentUser() user: SecurityUser, @Param('resourceId') id: string) {
    return resourceInfoJson(await this.resources.get(user, id));
  }

  @Get('resource/:resourceId/download')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async download(@CurrentUser() user: SecurityUser, @Param('resourceId') id: string, @Res() response: Response): Promise<void> {
    send(response, await this.resources.get(user, id), 'application/octet-stream');
  }

  @Get('resource/lwm2m/:resourceId/download')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async downloadModel(@CurrentUser() user: SecurityUser, @Param('resourceId') id: string, @Res() response: Response): Promise<void> {
    send(response, await this.resources.get(user, id), 'application/xml');
  }

  /** ThingsBoard keeps this (deprecated) read of the info with the file as Base64. */
  @Get('resource/:resourceId')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async get(@CurrentUser() user: SecurityUser, @Param('resourceId') id: string) {
    return resourceJson(await this.resources.get(user, id));
  }

  @Delete('resource/:resourceId')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  async delete(@CurrentUser() user: SecurityUser, @Param('resourceId') id: string) {
    await this.resources.delete(user, id);
    return { success: true };
  }
}

function send(response: Response, resource: ResourceEntity, contentType: string): void {
  const file = Buffer.from(resource.data, 'base64');
  response.status(200);
  response.setHeader('Content-Disposition', `attachment;filename=${encodeURIComponent(resource.fileName)}`);
  response.setHeader('x-filename', encodeURIComponent(resource.fileName));
  response.setHeader('Content-Type', contentType);
  response.setHeader('ETag', `"${resource.etag}"`);
  response.end(file);
}
