/**
 * What the key-value nodes (copy, rename, delete) share: the DATA/METADATA switch, its configuration history
 * and key patterns.
 *
 * ThingsBoard's configuration history of these nodes: version 0 had a boolean `fromMetadata`; version 1 an
 * enum under an older name (`fromMetadata` for copy/rename, `dataToFetch` for delete); version 2 the enum under
 * the node's own name (`copyFrom`, `renameIn`, `deleteFrom`).
 */

export type MsgSource = 'DATA' | 'METADATA';

export const MSG_SOURCE_CONFIG_VERSION = 2;

export const msgSourceSchema = (title: string) => ({ type: 'string', enum: ['DATA', 'METADATA'], title }) as const;

/** Brings a version 0 or 1 configuration to version 2, renaming the source switch to `key`. */
export function upgradeMsgSource(fromVersion: number, oldConfig: Record<string, unknown>, key: string, versionOneKey: string) {
  const config = { ...oldConfig };
  if (fromVersion === 0) {
    const fromMetadata = config.fromMetadata;
    delete config.fromMetadata;
    if (String(fromMetadata) === 'true') return { ...config, [key]: 'METADATA' };
    if (String(fromMetadata) === 'false') return { ...config, [key]: 'DATA' };
    throw new Error(
      `Cannot upgrade the configuration: "fromMetadata" must be true or false, got ${JSON.stringify(fromMetadata)}; set "${key}" to DATA or METADATA instead`,
    );
  }
  if (fromVersion === 1 && !(key in config)) {
    const source = config[versionOneKey];
    delete config[versionOneKey];
    if (source === 'DATA' || source === 'METADATA') return { ...config, [key]: source };
    throw new Error(
      `Cannot upgrade the configuration: "${versionOneKey}" must be DATA or METADATA, got ${JSON.stringify(source)}; set "${key}" instead`,
    );
  }
  return config;
}

/**
 * A test for keys against the configured patterns. Each pattern is a regular expression that must match the
 * whole key (Java's `matches()`), so a plain key name matches only itself.
 */
export function keyMatcher(patterns: readonly string[]): (key: string) => boolean {
  const compiled = patterns.map((pattern) => {
    try {
      return new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      throw new Error(
        `Key pattern ${JSON.stringify(pattern)} is not a valid regular expression (${(e as Error).message}); fix it in "keys"`,
      );
    }
  });
  return (key) => compiled.some((regex) => regex.test(key));
}

/** The text a data value gets as a metadata value: strings as they are, everything else as JSON. */
export const metadataText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
