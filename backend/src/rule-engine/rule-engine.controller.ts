import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { SecurityUser } from '../auth/security-user';
import { RuleEngine } from './rule-engine.service';

/** What the running engine is doing: per-queue counters and lag, per-chain deployment state and node counters. */
@ApiTags('rule-engine')
@ApiBearerAuth()
@Controller('api/ruleEngine')
export class RuleEngineController {
  constructor(private readonly engine: RuleEngine) {}

  /** Queues: processed, failed, timed out, retried, packs, lag (messages waiting). */
  @Get('queues/stats')
  @Roles('SYS_ADMIN', 'TENANT_ADMIN')
  queueStats() {
    return this.engine.queueStats();
  }

  /** The caller's chains: deployed or not (with the reason), and per-node received/failed counters. */
  @Get('chains/status')
  @Roles('TENANT_ADMIN')
  chainStatus(@CurrentUser() user: SecurityUser) {
    return this.engine.chainStatus(user.tenantId);
  }
}
