import { Body, Controller, DefaultValuePipe, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink } from '../paging/page-link';
import { RuleChainDataDto, RuleChainDto, RuleChainMetaDataDto } from './dto/rule-chain.dto';
import { ruleChainJson } from './rule-chain.json';
import { RULE_CHAIN_SORTABLE, RuleChainsService } from './rule-chains.service';

const CHAIN_TYPES = ['CORE', 'EDGE'];

/** ThingsBoard's rule-chain REST API (rest-api.md §2.1–2.6), plus versions. */
@ApiTags('rule-chains')
@ApiBearerAuth()
@Controller('api')
@Roles('TENANT_ADMIN')
export class RuleChainsController {
  constructor(private readonly chains: RuleChainsService) {}

  @Get('ruleChain/:id')
  async get(@CurrentUser() user: SecurityUser, @Param('id') id: string) {
    return ruleChainJson(await this.chains.get(user, id));
  }

  @Post('ruleChain')
  @HttpCode(200)
  async save(@CurrentUser() user: SecurityUser, @Body() body: RuleChainDto) {
    return ruleChainJson(await this.chains.saveHeader(user, body));
  }

  @Post('ruleChain/metadata')
  @HttpCode(200)
  saveMetadata(@CurrentUser() user: SecurityUser, @Body() body: RuleChainMetaDataDto) {
    return this.chains.saveMetadata(user, body);
  }

  @Get('ruleChain/:id/metadata')
  getMetadata(@CurrentUser() user: SecurityUser, @Param('id') id: string) {
    return this.chains.getMetadata(user, id);
  }

  @Post('ruleChain/:id/root')
  @HttpCode(200)
  async setRoot(@CurrentUser() user: SecurityUser, @Param('id') id: string) {
    return ruleChainJson(await this.chains.setRoot(user, id));
  }

  @Delete('ruleChain/:id')
  async delete(@CurrentUser() user: SecurityUser, @Param('id') id: string): Promise<void> {
    await this.chains.delete(user, id);
  }

  @Get('ruleChain/:id/output/labels')
  outputLabels(@CurrentUser() user: SecurityUser, @Param('id') id: string) {
    return this.chains.outputLabels(user, id);
  }

  /** Every saved version of the chain's graph, newest first. */
  @Get('ruleChain/:id/versions')
  versions(@CurrentUser() user: SecurityUser, @Param('id') id: string) {
    return this.chains.listVersions(user, id);
  }

  /** Makes an earlier version's graph the newest version; answers the resulting metadata. */
  @Post('ruleChain/:id/versions/:version/restore')
  @HttpCode(200)
  restore(@CurrentUser() user: SecurityUser, @Param('id') id: string, @Param('version', ParseIntPipe) version: number) {
    return this.chains.restoreVersion(user, id, version);
  }

  @Get('ruleChains/export')
  export(@CurrentUser() user: SecurityUser, @Query('limit') limit?: string) {
    const n = Number(limit);
    if (!limit || !Number.isInteger(n) || n < 1)
      throw ApiError.badRequest("Required request parameter 'limit' (a positive integer) is missing or invalid");
    return this.chains.export(user, n);
  }

  @Post('ruleChains/import')
  @HttpCode(200)
  import(
    @CurrentUser() user: SecurityUser,
    @Body() body: RuleChainDataDto,
    @Query('overwrite', new DefaultValuePipe('false')) overwrite: string,
  ) {
    return this.chains.import(user, body, overwrite === 'true');
  }

  @Get('ruleChains/list')
  async listByIds(@CurrentUser() user: SecurityUser, @Query('ruleChainIds') ids?: string) {
    if (!ids) throw ApiError.badRequest("Required request parameter 'ruleChainIds' is missing");
    return (await this.chains.list(user, ids.split(','))).map(ruleChainJson);
  }

  @Get('ruleChains')
  async page(@CurrentUser() user: SecurityUser, @Query() query: PageQuery & { type?: string; ruleChainIds?: string }) {
    if (query.ruleChainIds) return (await this.chains.list(user, query.ruleChainIds.split(','))).map(ruleChainJson);
    const type = query.type ?? 'CORE';
    if (!CHAIN_TYPES.includes(type)) throw ApiError.badRequest(`Unknown rule chain type '${type}': use CORE or EDGE`);
    const page = await this.chains.page(user.tenantId, parsePageLink(query, RULE_CHAIN_SORTABLE), type);
    return { ...page, data: page.data.map(ruleChainJson) };
  }
}
