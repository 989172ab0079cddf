import { spawn, type ChildProcess } from 'node:child_process';

/**
 * libcoap's command-line client (Debian package `libcoap3-bin`; the plain-UDP binary is `coap-client-notls`).
 * It exits 0 whatever the response code: the payload is on stdout, the code of an error response (e.g. `4.01`)
 * on stderr, so tests assert on those (peers.md §2).
 */
export const COAP_CLIENT = 'coap-client-notls';

export interface CoapClientResult {
  stdout: string;
  stderr: string;
}

/** Runs one `coap-client-notls` exchange; `-B` bounds its wait (seconds). */
export function coapClient(args: string[], waitSeconds = 5): Promise<CoapClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(COAP_CLIENT, ['-B', String(waitSeconds), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', () => resolve({ stdout, stderr }));
  });
}

/**
 * `coap-client-notls -s <seconds> -w <url>`: observes, printing each notification's payload on a line of its own
 * as it arrives; it deregisters when the time is up.
 */
export class CoapObserver {
  readonly lines: string[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<void>;

  constructor(url: string, seconds: number) {
    this.child = spawn(COAP_CLIENT, ['-s', String(seconds), '-B', String(seconds + 5), '-w', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const complete = partial.split('\n');
      partial = complete.pop()!;
      this.lines.push(...complete.filter((line) => line !== ''));
    });
    this.child.stderr!.on('data', (chunk) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', () => resolve()));
  }

  /** The `n`-th non-empty line (1-based), once printed. */
  async line(n: number, withinMs = 10_000): Promise<string> {
    const until = Date.now() + withinMs;
    while (this.lines.length < n) {
      if (Date.now() > until)
        throw new Error(`coap-client printed ${this.lines.length} lines, not ${n}: ${this.lines.join(' | ')} ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.lines[n - 1];
  }

  stop(): void {
    this.child.kill();
  }
}
