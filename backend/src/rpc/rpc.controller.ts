import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Response } from 'express';
import { Repository } from 'typeorm';
import { checkAccess } from '../access/tenant-access';
import { AuditLogService } from '../audit-log/audit-log.service';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { DevicesService } from '../devices/devices.service';
import { ApiError } from '../errors/api-error';
import { PageQuery, parsePageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { DeviceRpcService, RpcOutcome } from './device-rpc.service';
import { RpcRequestDto } from './dto/rpc-request.dto';
import { ServerRpcRequests } from './server-rpc-requests';
import { RPC_STATUSES, RpcEntity, RpcStatus } from './rpc.entity';
import { rpcJson } from './rpc.json';

const DEFAULT_TIMEOUT_MS = 10_000;
const MIN_TIMEOUT_MS = 5_000;
const RPC_SORTABLE = { createdTime: 'createdTime', expirationTime: 'expirationTime', status: 'status' };

type Flavour = 'current' | 'legacy';

/**
 * Server-side RPC over REST: `/api/rpc/*` (504 when nothing completes the call in time) and ThingsBoard's
 * legacy `/api/plugins/rpc/*` (408 when sent but unanswered, 409 when never sent), plus persistent RPC.
 */
@ApiTags('rpc')
@ApiBearerAuth()
@Controller('api')
@Roles('TENANT_ADMIN', 'CUSTOMER_USER')
export class RpcController {
  constructor(
    private readonly rpc: DeviceRpcService,
    private readonly viaRuleEngine: ServerRpcRequests,
    private readonly devices: DevicesService,
    private readonly audit: AuditLogService,
    @InjectRepository(RpcEntity) private readonly rpcs: Repository<RpcEntity>,
  ) {}

  @Post('rpc/oneway/:deviceId')
  oneway(@CurrentUser() user: SecurityUser, @Param('deviceId') id: string, @Body() body: RpcRequestDto, @Res() res: Response) {
    return this.handle(user, id, body, true, 'current', res);
  }

  @Post('rpc/twoway/:deviceId')
  twoway(@CurrentUser() user: SecurityUser, @Param('deviceId') id: string, @Body() body: RpcRequestDto, @Res() res: Response) {
    return this.handle(user, id, body, false, 'current', res);
  }

  @Post('plugins/rpc/oneway/:deviceId')
  legacyOneway(@CurrentUser() user: SecurityUser, @Param('deviceId') id: string, @Body() body: RpcRequestDto, @Res() res: Response) {
    return this.handle(user, id, body, true, 'legacy', res);
  }

  @Post('plugins/rpc/twoway/:deviceId')
  legacyTwoway(@CurrentUser() user: SecurityUser, @Param('deviceId') id: string, @Body() body: RpcRequestDto, @Res() res: Response) {
    return this.handle(user, id, body, false, 'legacy', res);
  }

  @Get('rpc/persistent/:rpcId')
  async getPersistent(@CurrentUser() user: SecurityUser, @Param('rpcId') rpcId: string) {
    return rpcJson(await this.persistent(user, rpcId));
  }

  @Get('rpc/persistent/device/:deviceId')
  async listPersistent(
    @CurrentUser() user: SecurityUser,
    @Param('deviceId') deviceId: string,
    @Query() query: PageQuery & { rpcStatus?: string },
  ) {
    const device = await this.devices.get(user, deviceId);
    const link = parsePageLink(query, RPC_SORTABLE);
    const status = query.rpcStatus?.toUpperCase();
    if (status === 'DELETED') throw ApiError.badRequest('RpcStatus: DELETED is not supported in this request; deleted RPCs are gone.');
    if (status && !(RPC_STATUSES as readonly string[]).includes(status))
      throw ApiError.badRequest(`Unknown rpcStatus '${query.rpcStatus}': use one of ${RPC_STATUSES.join(', ')}`);
    const where = { deviceId: device.id, ...(status ? { status: status as RpcStatus } : {}) };
    const [rows, total] = await this.rpcs.findAndCount({
      where,
      order: { [link.sortProperty ?? 'createdTime']: link.sortProperty ? link.sortOrder : 'DESC' },
      skip: link.page * link.pageSize,
      take: link.pageSize,
    });
    return toPageData(rows.map(rpcJson), total, link);
  }

  @Delete('rpc/persistent/:rpcId')
  @HttpCode(200)
  async deletePersistent(@CurrentUser() user: SecurityUser, @Param('rpcId') rpcId: string): Promise<void> {
    const rpc = await this.persistent(user, rpcId);
    this.rpc.cancel(rpc.id);
    await this.rpcs.delete({ id: rpc.id });
  }

  private async persistent(user: SecurityUser, rpcId: string): Promise<RpcEntity> {
    const id = parseUuid(rpcId);
    const rpc = checkAccess(user, 'RPC', id, await this.rpcs.findOneBy({ id }));
    await this.devices.get(user, rpc.deviceId); // a customer user sees only its devices' calls
    return rpc;
  }

  private async handle(
    user: SecurityUser,
    deviceId: string,
    body: RpcRequestDto,
    oneway: boolean,
    flavour: Flavour,
    res: Response,
  ): Promise<void> {
    const device = await this.devices.get(user, deviceId);
    const now = Date.now();
    const expiresAt = body.expirationTime ?? now + Math.max(MIN_TIMEOUT_MS, body.timeout ?? DEFAULT_TIMEOUT_MS);
    const call = { deviceId: device.id, tenantId: device.tenantId, method: body.method, params: body.params, oneway, expiresAt };
    await this.audit.recordDevice(user, device, 'RPC_CALL', { method: body.method, oneway, persistent: !!body.persistent });
    if (body.persistent) {
      const rpcId = await this.rpc.callPersistent({
        ...call,
        persistent: { retries: body.retries ?? 0, additionalInfo: body.additionalInfo },
      });
      res.status(200).json({ rpcId });
      return;
    }
    // The caller may give up first; the call still runs to its end so the device's state stays consistent.
    sendOutcome(res, await this.viaRuleEngine.call(device, call, body.requestUUID), flavour);
  }
}

function sendOutcome(res: Response, outcome: RpcOutcome, flavour: Flavour): void {
  if (res.headersSent) return;
  switch (outcome.kind) {
    case 'DELIVERED':
      res.status(200).end();
      return;
    case 'REPLY':
      if (!outcome.payload) return void res.status(200).end();
      try {
        JSON.parse(outcome.payload);
      } catch {
        return void res.status(406).end(); // the device's reply is not JSON
      }
      res.status(200).type('application/json').send(outcome.payload);
      return;
    case 'EXPIRED':
      res.status(flavour === 'current' ? 504 : outcome.sent ? 408 : 409).end();
  }
}
