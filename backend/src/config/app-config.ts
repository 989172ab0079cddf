import { SETTINGS, SettingKind, SettingName, SettingSpec } from './config.schema';

type ValueOf<K extends SettingKind> = K extends 'int' | 'port' | 'duration-ms' ? number : K extends 'bool' ? boolean : string;
type Spec<N extends SettingName> = (typeof SETTINGS)[N];

/** The parsed configuration: one typed field per setting; settings without a default are `undefined` when unset. */
export type AppConfig = {
  readonly [N in SettingName]: Spec<N>['default'] extends string ? ValueOf<Spec<N>['kind']> : ValueOf<Spec<N>['kind']> | undefined;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}\nFix the variable(s) above and start again.`);
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function parseValue(spec: SettingSpec, raw: string): { value?: unknown; problem?: string } {
  const show = spec.secret ? '(hidden)' : JSON.stringify(raw);
  switch (spec.kind) {
    case 'string':
      return { value: raw };
    case 'url':
      try {
        new URL(raw);
        return { value: raw };
      } catch {
        return { problem: `${spec.env}=${show} is not a URL` };
      }
    case 'bool': {
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { problem: `${spec.env}=${show} must be true or false` };
    }
    case 'enum':
      return spec.values!.includes(raw) ? { value: raw } : { problem: `${spec.env}=${show} must be one of ${spec.values!.join(', ')}` };
    case 'int':
    case 'port':
    case 'duration-ms': {
      if (!/^\d+$/.test(raw.trim())) return { problem: `${spec.env}=${show} must be a whole number` };
      const n = Number(raw);
      if (spec.kind === 'port' && n > 65535) return { problem: `${spec.env}=${show} must be a port from 0 to 65535` };
      if (spec.min !== undefined && n < spec.min) return { problem: `${spec.env}=${show} must be at least ${spec.min}` };
      return { value: n };
    }
  }
}

/** Reads every setting from `env`, applying defaults; throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    const given = env[spec.env];
    const raw = given === undefined || given === '' ? spec.default : given;
    if (raw === undefined) {
      config[name] = undefined;
      continue;
    }
    const { value, problem } = parseValue(spec, raw);
    if (problem) problems.push(problem);
    else config[name] = value;
  }
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config) as AppConfig;
}

/** Markdown table of every setting, for the README. */
export function configTableMarkdown(): string {
  const rows = (Object.values(SETTINGS) as SettingSpec[]).map(
    (s) => `| \`${s.env}\` | ${s.default === undefined ? 'unset' : `\`${s.default}\``} | ${s.description} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
