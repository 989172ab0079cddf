import type { PluginLogger } from '@edgewise/plugin-api';
import { Logger } from '@nestjs/common';

/** A plugin's logger: the core's structured log under `context`, with the fields a plugin attaches. */
export function pluginLogger(context: string, bound: Record<string, unknown> = {}): PluginLogger {
  const logger = new Logger(context);
  const entry = (message: string, fields?: Record<string, unknown>) => ({ msg: message, ...bound, ...fields });
  return {
    debug: (message, fields) => logger.debug(entry(message, fields)),
    info: (message, fields) => logger.log(entry(message, fields)),
    warn: (message, fields) => logger.warn(entry(message, fields)),
    error: (message, fields) => logger.error(entry(message, fields)),
  };
}
