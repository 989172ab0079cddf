// Runs the built product as a separate process, as users run it (`node backend/dist/main.js`), on a
// temporary data directory — and a temporary PostgreSQL database when DATABASE_URL is set. Shared by the
// black-box tests in e2e/ and the benchmarks in bench/ (plain JS so both can load it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const MAIN = resolve(fileURLToPath(import.meta.url), '../../../backend/dist/main.js');

/** Waits for the JSON log lines that say the server is up (its URL) and where each transport listens. */
function watchStartup(child, exited) {
  return new Promise((done, fail) => {
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
        if (entry.level >= 50) process.stderr.write(`server: ${line}\n`);
        if (entry.url && /Edgewise is up/.test(entry.msg)) done({ url: entry.url, ports });
      }
    });
    exited.then(({ code, signal, stderr }) => fail(new Error(`the server exited (${code ?? signal}) before it was ready: ${stderr}`)));
  });
}

export async function startProduct(extraEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgewise-product-'));
  let databaseUrl;
  let dropDatabase = async () => {};
  if (process.env.DATABASE_URL) {
    const { Client } = require('pg');
    const name = `edgewise_e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
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
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl ?? '',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTTS_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    COAP_PORT: '0',
    COAP_HOST: '127.0.0.1',
    LWM2M_PORT: '0',
    LWM2M_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    // With REDIS_URL (cluster-mode runs) each product gets queues of its own on the shared Redis.
    REDIS_QUEUE_PREFIX: `p${Math.random().toString(36).slice(2, 10)}`,
    ...extraEnv,
  };
  // SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server during a run.
  const nodeArgs = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

  const product = {
    dataDir,
    databaseUrl,
    /** Starts (or, after kill/stop, restarts) the server on the same data; resolves when it serves. */
    async start() {
      const child = spawn(process.execPath, [...nodeArgs, MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      product.exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal, stderr })));
      const { url, ports } = await watchStartup(child, product.exited);
      Object.assign(product, { child, pid: child.pid, url, ports });
      return product;
    },
    /** Resident memory of the server process, in MB. */
    rssMb: () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${product.pid}/status`, 'utf8'))[1]) / 1024),
    /**
     * CPU time (user + system) the server has used so far, in seconds (Linux clock ticks at 100 Hz): the whole
     * process, or only its main thread (the event loop) with `mainThread`.
     */
    cpuSeconds: (mainThread = false) => {
      const stat = mainThread ? `/proc/${product.pid}/task/${product.pid}/stat` : `/proc/${product.pid}/stat`;
      const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    /** Kills the process with `signal` (SIGKILL: no chance to clean up) and waits for it to be gone. */
    async kill(signal = 'SIGKILL') {
      product.child.kill(signal);
      return product.exited;
    },
    /** Graceful stop, then removes the data directory and the database. */
    async stop() {
      if (product.child && product.child.exitCode === null && product.child.signalCode === null) {
        product.child.kill('SIGTERM');
        await product.exited;
      }
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return product.start();
}

/**
 * A REST client logged in as the demo tenant administrator. `request` never throws on a status;
 * `createDevice` does, since setup that fails should stop the test or benchmark.
 */
export async function restClient(baseUrl, credentials = { username: 'tenant@thingsboard.org', password: 'tenant' }) {
  let token;
  const request = async (method, path, body) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { 'x-authorization': `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, text, body: parsed, headers: res.headers };
  };
  const login = await request('POST', '/api/auth/login', credentials);
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  token = login.body.token;
  return {
    request,
    async createDevice(name, accessToken) {
      const res = await request('POST', `/api/device?accessToken=${encodeURIComponent(accessToken)}`, { name });
      if (res.status !== 200) throw new Error(`creating device ${name} failed: ${res.status} ${res.text}`);
      return res.body;
    },
  };
}
