/**
 * @edgewise/plugin-api — the only package a plugin (ours or a third party's) depends on.
 *
 * A plugin is an npm package whose package.json has `"edgewise": {"apiVersion": 1}` and whose entry
 * exports `definePlugin({...})`. The core never hands a plugin NestJS or TypeORM types: everything a
 * plugin may use comes through the contexts declared here (`rule-node.ts`, `transport.ts`).
 */

import type { RuleNodeDescriptor } from './rule-node';
import type { TransportContext } from './transport';

export * from './datagram-security';
export * from './java-double';
export * from './keyed-lock';
export * from './rule-msg';
export * from './rule-node';
export * from './rule-node-script';
export * from './rule-services';
export * from './throttled-log';
export * from './transport';

/** The plugin API version this package describes; the core refuses plugins built for another. */
export const PLUGIN_API_VERSION = 1;

/** A transport: what it declares, and how the core builds it. */
export interface TransportDescriptor {
  /** e.g. `mqtt`, `coap`. */
  id: string;
  /** Ports it listens on by default, e.g. `{ mqtt: 1883, mqtts: 8883 }`. */
  defaultPorts: Record<string, number>;
  /** JSON Schema of `TransportSettings.options`. */
  configSchema: Record<string, unknown>;
  /** Builds the transport; the core calls `start()` once the core is ready and `stop()` on shutdown. */
  create(context: TransportContext, settings: TransportSettings): TransportInstance;
  /**
   * Resource files the transport reads (e.g. `LWM2M_MODEL`), by ThingsBoard resource type. The core stores
   * uploads in its resource library (`/api/resource`) and asks the transport to describe each one first; a
   * describer throws, with a message naming what is wrong, to refuse a file.
   */
  resourceTypes?: Record<string, (file: Uint8Array, fileName: string) => ResourceDescription>;
}

/** How the resource library lists an uploaded file. */
export interface ResourceDescription {
  /** Unique per tenant and type, e.g. `3303_1.1` for an LwM2M model. */
  key: string;
  /** Shown when the upload names no title. */
  title: string;
  /** Extra text the library's search matches. */
  searchText: string;
}

/** Where and how a transport listens, resolved by the core from its configuration. */
export interface TransportSettings {
  host: string;
  /** Port per listener name of `defaultPorts`; 0 picks a free port; a listener left out is off. */
  ports: Record<string, number>;
  /** Largest payload a device may send, in bytes. */
  maxPayloadBytes: number;
  /** PEM file paths for TLS listeners; absent → TLS listeners stay off. */
  tls?: { certFile: string; keyFile: string; caFile?: string };
  /** Transport-specific options, validated against `configSchema`. */
  options: Record<string, unknown>;
}

export interface TransportInstance {
  start(): Promise<void>;
  /** Stops accepting, closes every connection, and resolves when all are gone. */
  stop(): Promise<void>;
  /** Ports actually bound, per listener name (useful when configured as 0). */
  boundPorts(): Record<string, number>;
}

export interface PluginDefinition {
  /** npm package name of the plugin. */
  name: string;
  version: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each node has its own configuration type
  ruleNodes?: RuleNodeDescriptor<any>[];
  transports?: TransportDescriptor[];
}

export class PluginDefinitionError extends Error {}

const TYPE_ID = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/;

/**
 * Declares a plugin. Checks what can be checked without the core (ids well-formed and unique), so a
 * plugin author sees mistakes when the module loads, not when a message arrives.
 */
export function definePlugin<T extends PluginDefinition>(definition: T): T {
  if (!definition.name) throw new PluginDefinitionError('definePlugin: `name` is required (use the npm package name)');
  const seen = new Set<string>();
  for (const id of [...(definition.ruleNodes ?? []).map((n) => n.type), ...(definition.transports ?? []).map((t) => t.id)]) {
    if (!TYPE_ID.test(id))
      throw new PluginDefinitionError(`${definition.name}: "${id}" is not a valid id (lower-case words joined by "-" and "/")`);
    if (seen.has(id)) throw new PluginDefinitionError(`${definition.name}: "${id}" is declared twice`);
    seen.add(id);
  }
  for (const node of definition.ruleNodes ?? []) {
    if (node.outEnabled !== false && !node.relations.length && !node.customRelations)
      throw new PluginDefinitionError(`${definition.name}: rule node "${node.type}" must declare at least one relation`);
  }
  return definition;
}
