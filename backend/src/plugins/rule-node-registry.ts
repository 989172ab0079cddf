import type { PluginDefinition, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { PluginRegistry } from './plugin-registry';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
type AnyDescriptor = RuleNodeDescriptor<any>;

export interface RegisteredNode {
  descriptor: AnyDescriptor;
  plugin: PluginDefinition;
  /** What a stored node's `type` says: the ThingsBoard class name when there is one, else our type id. */
  storedType: string;
  validate: ValidateFunction;
}

export type PreparedConfig =
  { ok: true; configuration: Record<string, unknown>; configurationVersion: number } | { ok: false; reason: string };

/**
 * Every rule node the loaded plugins declare, found by our type id or by ThingsBoard class name, with its
 * configuration schema compiled once.
 */
@Injectable()
export class RuleNodeRegistry {
  private readonly byType = new Map<string, RegisteredNode>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });

  constructor(plugins: PluginRegistry) {
    addFormats(this.ajv);
    for (const { plugin, node } of plugins.ruleNodes()) {
      const registered: RegisteredNode = {
        descriptor: node,
        plugin,
        storedType: node.thingsboardClass ?? node.type,
        validate: this.ajv.compile(node.configSchema),
      };
      for (const key of [node.type, node.thingsboardClass]) {
        if (!key) continue;
        const clash = this.byType.get(key);
        if (clash)
          throw new Error(`Rule node "${key}" is declared by both ${clash.plugin.name} and ${plugin.name}; uninstall one of them.`);
        this.byType.set(key, registered);
      }
    }
  }

  /** By our type id or ThingsBoard class name; undefined for node types no installed plugin provides. */
  find(type: string): RegisteredNode | undefined {
    return this.byType.get(type);
  }

  /** Nodes whose type no installed plugin provides, named for the user: `"Name" (type)`. */
  unsupported(nodes: readonly { name: string; type: string }[]): string[] {
    return nodes.filter((n) => !this.byType.has(n.type)).map((n) => `"${n.name}" (${n.type})`);
  }

  all(): RegisteredNode[] {
    return [...new Set(this.byType.values())];
  }

  /**
   * Brings a stored/imported configuration to the node's current version (ThingsBoard exports carry older
   * ones), fills missing top-level settings from the defaults, and validates it against the node's schema.
   */
  prepareConfig(node: RegisteredNode, configuration: unknown, configurationVersion: number | undefined): PreparedConfig {
    const { descriptor } = node;
    const current = descriptor.configVersion ?? 0;
    let config: Record<string, unknown> =
      configuration && typeof configuration === 'object' && !Array.isArray(configuration)
        ? { ...(configuration as Record<string, unknown>) }
        : {};
    const from = configurationVersion ?? 0;
    if (from < current && descriptor.upgrade) {
      try {
        config = descriptor.upgrade(from, config);
      } catch (e) {
        return { ok: false, reason: `cannot upgrade its configuration from version ${from}: ${(e as Error).message}` };
      }
    }
    config = { ...(descriptor.defaultConfig as Record<string, unknown>), ...config };
    if (!node.validate(config)) {
      const problems = (node.validate.errors ?? []).map((e) => `${e.instancePath || 'configuration'} ${e.message}`).join('; ');
      return { ok: false, reason: problems };
    }
    return { ok: true, configuration: config, configurationVersion: current };
  }
}
