import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { dialectOf } from '../database/dialect';
import { ApiError, ErrorCode } from '../errors/api-error';

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** 200 while the database answers; 503 otherwise, so load balancers take the node out. */
  @Public()
  @Get()
  @HttpCode(200)
  async health() {
    try {
      await this.db.query('SELECT 1');
    } catch (e) {
      throw new ApiError(503, `Database unreachable: ${(e as Error).message}`, ErrorCode.DATABASE);
    }
    return { status: 'UP', database: dialectOf(this.db), uptimeMs: Date.now() - this.startedAt };
  }
}
