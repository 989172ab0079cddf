import { Global, Module } from '@nestjs/common';
import { PluginRegistry } from './plugin-registry';
import { RuleNodeRegistry } from './rule-node-registry';

/** Loads the plugins once; transports and the rule engine take what they need from the registry. */
@Global()
@Module({ providers: [PluginRegistry, RuleNodeRegistry], exports: [PluginRegistry, RuleNodeRegistry] })
export class PluginsModule {}
