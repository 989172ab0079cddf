import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configTableMarkdown, loadConfig } from './app-config';
import { SETTINGS } from './config.schema';

describe('loadConfig', () => {
  it('runs out of the box on defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      dataDir: './data',
      httpPort: 8080,
      databaseUrl: undefined,
      logPretty: false,
      sysadminEmail: 'sysadmin@thingsboard.org',
    });
  });

  it('reads and types every kind of setting', () => {
    const config = loadConfig({ HTTP_PORT: '0', LOG_PRETTY: 'yes', DATABASE_URL: 'postgres://u@h:5432/db', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ httpPort: 0, logPretty: true, databaseUrl: 'postgres://u@h:5432/db', logLevel: 'debug' });
  });

  it('names every invalid variable in one error, hiding secret values', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ HTTP_PORT: '70000', LOG_PRETTY: 'maybe', DATABASE_URL: 'not a url with secret', LOGIN_MAX_ATTEMPTS: '0' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'DATABASE_URL=(hidden) is not a URL',
      'HTTP_PORT="70000" must be a port from 0 to 65535',
      'LOG_PRETTY="maybe" must be true or false',
      'LOGIN_MAX_ATTEMPTS="0" must be at least 1',
    ]);
    expect(error!.message).not.toContain('secret');
  });

  it('lists every setting in the README, so its configuration table cannot fall behind', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const missing = Object.values(SETTINGS).filter((spec) => !readme.includes(`| \`${spec.env}\``));
    expect(missing.map((spec) => spec.env)).toEqual([]);
  });

  it('documents every setting in the Markdown table', () => {
    const table = configTableMarkdown();
    expect(table).toContain('| `DATA_DIR` | `./data` |');
    expect(table).toContain('| `DATABASE_URL` | unset |');
  });
});
