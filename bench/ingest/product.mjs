// Runs the built product as a separate process (as users run it) on a temporary data directory — or a
// temporary PostgreSQL database when DATABASE_URL is set — and exposes what a benchmark needs from it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const MAIN = resolve(fileURLToPath(import.meta.url), '../../../backend/dist/main.js');

export async function startProduct(extraEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgewise-bench-'));
  let databaseUrl;
  let dropDatabase = async () => {};
  if (process.env.DATABASE_URL) {
    const { Client } = require('pg');
    const name = `edgewise_bench_${Date.now().toString(36)}`;
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const c = new Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  // SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server during a run.
  const nodeArgs = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  const ready = new Promise((done, fail) => {
    let url;
    const ports = {};
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let entry;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        if (entry.transport && entry.ports) ports[entry.transport] = entry.ports;
        if (entry.url && /Edgewise is up/.test(entry.msg)) url = entry.url;
        if (entry.level >= 50) process.stderr.write(`server: ${line}\n`);
        if (url) done({ url, ports });
      }
    });
    exited.then(({ code }) => fail(new Error(`the server exited with code ${code} before it was ready`)));
  });
  const { url, ports } = await ready;
  return {
    url,
    ports,
    dataDir,
    databaseUrl,
    pid: child.pid,
    /** Resident memory of the server process, in MB. */
    rssMb: () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** REST helpers the benchmarks use to set up devices and check results. */
export async function restClient(baseUrl) {
  const call = async (method, path, body, token) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { 'x-authorization': `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const { token } = await call('POST', '/api/auth/login', { username: 'tenant@thingsboard.org', password: 'tenant' });
  return {
    createDevice: (name, accessToken) => call('POST', `/api/device?accessToken=${encodeURIComponent(accessToken)}`, { name }, token),
  };
}

/** Counts stored data points straight from the database the server used. */
export async function countDataPoints(product) {
  if (product.databaseUrl) {
    const { Client } = require('pg');
    const client = new Client({ connectionString: product.databaseUrl });
    await client.connect();
    const { rows } = await client.query('SELECT COUNT(*) AS n FROM ts_kv');
    await client.end();
    return Number(rows[0].n);
  }
  const Database = require('better-sqlite3');
  const db = new Database(join(product.dataDir, 'edgewise.sqlite'), { readonly: true });
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM ts_kv').get();
  db.close();
  return n;
}

export const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);
