import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { startApp, RunningApp } from '../src/bootstrap';
import { createRootLogger } from '../src/logging/pino-logger';

export const TENANT_ADMIN = { username: 'tenant@thingsboard.org', password: 'tenant' };
export const SYSADMIN = { username: 'sysadmin@thingsboard.org', password: 'sysadmin' };

export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** A tiny REST client bound to one app and (optionally) one user's token. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** `body` is sent as JSON unless it is already a string (for malformed-input tests). */
  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { 'x-authorization': `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  }

  /** Logs in and returns a client carrying the user's access token. */
  async login(credentials: { username: string; password: string }): Promise<ApiClient> {
    const result = await this.post('/api/auth/login', credentials);
    if (result.status !== 200) throw new Error(`login as ${credentials.username} failed: ${result.status} ${result.text}`);
    return this.withToken(result.body.token);
  }
}

export interface TestApp {
  url: string;
  api: ApiClient;
  running: RunningApp;
  dataDir: string;
  database: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/**
 * Boots the real product on a random port with a fresh data directory, and — when DATABASE_URL is set —
 * a fresh PostgreSQL database of its own, so test files never see each other's rows.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgewise-test-'));
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (serverUrl) {
    const name = `edgewise_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const config = loadConfig({
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTTS_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    COAP_PORT: '0',
    COAP_HOST: '127.0.0.1',
    LWM2M_PORT: '0',
    LWM2M_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    // Cluster-mode suites share one Redis: each app gets queues of its own.
    ...(process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_QUEUE_PREFIX: `t${Math.random().toString(36).slice(2, 10)}` }
      : {}),
    ...env,
  });
  const running = await startApp(config, createRootLogger(config));
  return {
    url: running.url,
    api: new ApiClient(running.url),
    running,
    dataDir,
    database: databaseUrl ? 'postgres' : 'sqlite',
    async close() {
      await running.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
