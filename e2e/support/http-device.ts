import { spawn } from 'node:child_process';

/** What a device sees of one HTTP exchange. */
export interface DeviceReply {
  status: number;
  body: string;
  headers: Headers;
  elapsedMs: number;
}

/** One call to the product's HTTP device API with Node's fetch, as a device would make it. */
export async function deviceRequest(baseUrl: string, method: 'GET' | 'POST', path: string, body?: string): Promise<DeviceReply> {
  const started = Date.now();
  const res = await fetch(baseUrl + path, { method, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: text, headers: res.headers, elapsedMs: Date.now() - started };
}

/**
 * The same with Debian's curl (`curl -s`, extra `args` first). `status` is 0 when curl gave up
 * (e.g. `--max-time`) before any response.
 */
export function curl(url: string, args: string[] = []): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-s', ...args, '-w', '\n%{http_code}', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', () => {
      const newline = out.lastIndexOf('\n');
      resolve({ status: Number(out.slice(newline + 1)), body: out.slice(0, newline) });
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Repeats `action` until `pending` settles: the way to line up a server-side event with a long poll whose
 * subscription the client cannot see (each repetition must be harmless, e.g. saving the same attribute).
 */
export async function repeatUntilSettled<T>(pending: Promise<T>, action: () => Promise<unknown>, everyMs = 150): Promise<T> {
  let settled = false;
  const result = pending.finally(() => (settled = true));
  while (!settled) {
    await action();
    await Promise.race([result, sleep(everyMs)]);
  }
  return result;
}
