import { PLUGIN_API_VERSION, PluginDefinition } from '@edgewise/plugin-api';
import { readFileSync } from 'node:fs';

/** Plugins shipped with Edgewise, loaded like any other plugin through @edgewise/plugin-api. */
export const BUILT_IN_PLUGINS = [
  '@edgewise/transport-mqtt',
  '@edgewise/transport-http',
  '@edgewise/transport-coap',
  '@edgewise/transport-lwm2m',
  '@edgewise/transport-snmp',
  '@edgewise/rule-nodes-core',
];

export class PluginLoadError extends Error {}

interface PluginPackageJson {
  name: string;
  version: string;
  edgewise?: { apiVersion?: number };
}

/**
 * Loads a plugin package by name: its package.json must declare the plugin API version this core speaks
 * (`"edgewise": {"apiVersion": 1}`) and its entry must export a `definePlugin(...)` value (default export
 * or named `plugin`). Refusals say what to change.
 */
export function loadPlugin(packageName: string, resolveFrom: string = __dirname): PluginDefinition {
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${packageName}/package.json`, { paths: [resolveFrom] });
  } catch {
    throw new PluginLoadError(`Plugin ${packageName} is not installed (npm install ${packageName}).`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PluginPackageJson;
  const apiVersion = manifest.edgewise?.apiVersion;
  if (apiVersion !== PLUGIN_API_VERSION) {
    throw new PluginLoadError(
      apiVersion === undefined
        ? `${packageName} is not an Edgewise plugin: its package.json lacks "edgewise": {"apiVersion": ${PLUGIN_API_VERSION}}.`
        : `${packageName}@${manifest.version} is built for plugin API ${apiVersion}; this Edgewise speaks ${PLUGIN_API_VERSION}. Install a version of the plugin made for it.`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entry = require(require.resolve(packageName, { paths: [resolveFrom] })) as {
    default?: PluginDefinition;
    plugin?: PluginDefinition;
  };
  const definition = entry.default ?? entry.plugin;
  if (!definition || typeof definition !== 'object' || typeof definition.name !== 'string') {
    throw new PluginLoadError(
      `${packageName} does not export a plugin: export default definePlugin({...}) (or export const plugin = ...).`,
    );
  }
  return definition;
}
