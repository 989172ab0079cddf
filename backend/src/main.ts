import { ConfigError, loadConfig } from './config/app-config';
import { startApp } from './bootstrap';
import { createRootLogger } from './logging/pino-logger';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const logger = createRootLogger(config);
  const running = await startApp(config, logger);
  logger.info({ url: running.url, swagger: `${running.url}/swagger-ui` }, `Edgewise is up on ${running.url}`);

  // Drain in-flight work on SIGTERM/SIGINT; if it takes too long, leave anyway so orchestrators are not stuck.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than SHUTDOWN_TIMEOUT_MS=${config.shutdownTimeoutMs}; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    running.close().then(
      () => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exit(0);
      },
      (e: Error) => {
        logger.error({ err: e }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
  console.error('Edgewise failed to start:', e);
  process.exit(1);
});
