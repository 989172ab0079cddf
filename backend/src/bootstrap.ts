import 'reflect-metadata';
import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { ApiError } from './errors/api-error';
import { PinoLoggerService } from './logging/pino-logger';
import { DeviceHttpRouter } from './transport/device-http-router';

export interface RunningApp {
  app: INestApplication;
  /** Base URL the HTTP server listens on (the real port when HTTP_PORT=0). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Builds the whole product on one config and starts listening. Used by main.ts and by the tests. */
export async function startApp(config: AppConfig, logger: Logger): Promise<RunningApp> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: new PinoLoggerService(logger),
    bodyParser: false,
    // Keeps req.rawBody: telemetry typing needs each number's source text (`42.0` is DOUBLE, `42` LONG).
    rawBody: true,
    abortOnError: false,
    // ThingsBoard has literal routes beside parametric ones (GET /api/tenant/customers next to /api/tenant/{tenantId}):
    // literal segments must win whichever module declares its routes first.
    routeResolutionStrategy: 'specificity',
  });
  // Transports' HTTP routes (the device API) come first and read their own bodies (see DeviceHttpRouter).
  app.use(app.get(DeviceHttpRouter).router);
  app.useBodyParser('json', { limit: config.httpMaxBodyBytes, strict: false });
  app.set('trust proxy', 'loopback');
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: false,
      forbidUnknownValues: false,
      exceptionFactory: (errors) =>
        ApiError.badRequest(errors.flatMap((e) => Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` })).join('; ')),
    }),
  );
  const openApi = new DocumentBuilder()
    .setTitle('Edgewise REST API')
    .setDescription('ThingsBoard-compatible integrator API. Log in at POST /api/auth/login and send `X-Authorization: Bearer <token>`.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('swagger-ui', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'v3/api-docs' });
  await app.listen(config.httpPort, config.httpHost);
  const address = app.getHttpServer().address() as { port: number };
  const host = config.httpHost === '0.0.0.0' || config.httpHost === '::' ? '127.0.0.1' : config.httpHost;
  return { app, port: address.port, url: `http://${host}:${address.port}`, close: () => app.close() };
}
