import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Application } from 'express';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TransportModule } from '../transport/transport.module';
import { DEFAULT_WEB_ADMIN_DIR, notBuiltHandler, webAdminHandlers } from './web-admin-files';
import { WebAdminController } from './web-admin.controller';

/**
 * Serves the built Angular admin at `/`. Its handlers are added when the modules initialise, which Nest does
 * after it registered every controller route and before its 404 handler: any API route wins, and only what no
 * route answered reaches the admin's files and pages (never `/api/**`, whose misses keep the JSON 404).
 */
@Module({
  imports: [TransportModule],
  controllers: [WebAdminController],
})
export class WebAdminModule implements OnModuleInit {
  private readonly logger = new Logger('WebAdmin');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const dir = this.config.webAdminDir ?? DEFAULT_WEB_ADMIN_DIR;
    const app = this.adapterHost.httpAdapter.getInstance<Application>();
    const handlers = webAdminHandlers(dir);
    if (handlers) {
      app.use(...handlers);
      this.logger.log({ msg: `web admin served at / from ${dir}`, dir });
    } else {
      app.use(notBuiltHandler(dir));
      this.logger.warn({
        msg: `the web admin is not built (no ${dir}/index.html): build it with "npm run build -w @edgewise/frontend" or set WEB_ADMIN_DIR; the APIs work without it`,
        dir,
      });
    }
  }
}
