import type { PluginDefinition, RuleNodeDescriptor, TransportDescriptor } from '@edgewise/plugin-api';
import { Injectable, Logger } from '@nestjs/common';
import { BUILT_IN_PLUGINS, loadPlugin } from './plugin-loader';

/** The loaded plugins: every transport and rule node the core can use, each with the plugin it came from. */
@Injectable()
export class PluginRegistry {
  private readonly logger = new Logger('Plugins');
  readonly plugins: readonly PluginDefinition[];

  constructor() {
    this.plugins = BUILT_IN_PLUGINS.map((name) => loadPlugin(name));
    for (const plugin of this.plugins) {
      this.logger.log({
        msg: `plugin ${plugin.name}@${plugin.version} loaded`,
        transports: (plugin.transports ?? []).length,
        ruleNodes: (plugin.ruleNodes ?? []).length,
      });
    }
  }

  transports(): { plugin: PluginDefinition; transport: TransportDescriptor }[] {
    return this.plugins.flatMap((plugin) => (plugin.transports ?? []).map((transport) => ({ plugin, transport })));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
  ruleNodes(): { plugin: PluginDefinition; node: RuleNodeDescriptor<any> }[] {
    return this.plugins.flatMap((plugin) => (plugin.ruleNodes ?? []).map((node) => ({ plugin, node })));
  }
}
