import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = resolve(__dirname, '../dist/main.js');

interface Started {
  exit: Promise<number | null>;
  output: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

/** Runs the built product as a user would (`node backend/dist/main.js`). */
function runMain(env: Record<string, string>): Started {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { exit: new Promise((done) => child.on('exit', (code) => done(code))), output: () => output, kill: (s) => child.kill(s) };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the server process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgewise-proc-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to start on invalid configuration, naming the variable', async () => {
    const run = runMain({ DATA_DIR: dataDir, HTTP_PORT: 'eighty' });
    expect(await run.exit).toBe(78);
    expect(run.output()).toContain('HTTP_PORT="eighty" must be a whole number');
  });

  it('starts on SQLite with no other server, answers health, and drains on SIGTERM', async () => {
    const run = runMain({ DATA_DIR: dataDir, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' });
    await waitFor(() => /Edgewise is up on http:\/\/127\.0\.0\.1:\d+/.test(run.output()), 20_000);
    const url = run.output().match(/Edgewise is up on (http:\/\/127\.0\.0\.1:\d+)/)![1];
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'UP', database: 'sqlite' });
    expect(existsSync(join(dataDir, 'edgewise.sqlite'))).toBe(true);
    expect(run.output()).toContain("still has ThingsBoard's public demo password");
    const docs = await fetch(`${url}/v3/api-docs`);
    expect(((await docs.json()) as { paths: Record<string, unknown> }).paths['/api/device']).toBeDefined();
    run.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('stopped cleanly');
  });
});
