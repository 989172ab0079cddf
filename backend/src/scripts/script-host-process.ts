import { ChildProcess, spawn } from 'node:child_process';
import { Logger } from '@nestjs/common';
import { SandboxLimits, ScriptError, ScriptFailureKind, scriptError } from './script-error';
import { HostFailure, runScriptHost } from './script-host';

/** A request waiting for the host's reply. */
interface PendingRequest {
  kind: 'C' | 'I';
  scriptId: number;
  payload: string;
  /** Sent so that its reply is written before the next request runs (after a crash, to find the culprit). */
  careful: boolean;
  /** A compile the server sent on its own (after a restart); nobody waits for it. */
  internal: boolean;
  resolve(reply: string): void;
  reject(error: ScriptError): void;
}

interface ScriptSource {
  params: string;
  body: string;
  /** The host process generation that has this script compiled. */
  generation: number;
}

/** How much of the host's stderr is kept to tell why it died (V8 prints its out-of-memory report there). */
const STDERR_TAIL_CHARS = 8192;

const noop = () => {};

/**
 * The server's side of the script host (see script-host.ts): starts the child on first use, pipelines
 * requests to it (all frames of one tick go out in one write), matches replies, and restarts it when it
 * dies — the invocation that killed it fails, every other waiting request is sent again.
 */
export class ScriptHostProcess {
  private readonly logger = new Logger('ScriptSandbox');
  private child: ChildProcess | undefined;
  private generation = 0;
  private stopping = false;
  private stalled = false;
  private stderrTail = '';
  private replyBuffer = '';
  private outbox: string[] = [];
  private flushScheduled = false;
  private nextRequestId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly scripts = new Map<number, ScriptSource>();
  private lastProgressAt = 0;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: SandboxLimits,
    private readonly isolatedVmPath: string,
  ) {}

  /** Compiles a function body of `params` (comma-separated identifiers); rejects with its SyntaxError. */
  async compile(scriptId: number, params: string, body: string): Promise<void> {
    const payload = JSON.stringify({ params, body });
    await new Promise<string>((resolve, reject) =>
      this.dispatch({ kind: 'C', scriptId, payload, careful: false, internal: false, resolve, reject }),
    );
    this.scripts.set(scriptId, { params, body, generation: this.generation });
  }

  /** Runs a compiled script with arguments given as a JSON array text; resolves with the result's JSON text ('' for undefined). */
  invoke(scriptId: number, argsJson: string): Promise<string> {
    return new Promise((resolve, reject) =>
      this.dispatch({ kind: 'I', scriptId, payload: argsJson, careful: false, internal: false, resolve, reject }),
    );
  }

  forget(scriptId: number): void {
    if (!this.scripts.delete(scriptId) || !this.child) return;
    this.send(`D 0 ${scriptId}\t\n`);
  }

  /** Ends the host; requests still waiting fail with a "server is stopping" error. */
  stop(): void {
    this.stopping = true;
    this.child?.kill('SIGKILL');
    this.rejectAll('stopped');
  }

  private dispatch(request: PendingRequest): void {
    if (this.stopping) return request.reject(scriptError({ kind: 'stopped' }, this.limits));
    this.ensureChild();
    if (request.kind === 'I') {
      const script = this.scripts.get(request.scriptId);
      if (!script) return request.reject(scriptError({ kind: 'internal', message: 'the script was disposed' }, this.limits));
      if (script.generation !== this.generation) {
        // A restarted host has no scripts: compile this one again, ahead of its invocation.
        script.generation = this.generation;
        const payload = JSON.stringify({ params: script.params, body: script.body });
        this.dispatch({ kind: 'C', scriptId: request.scriptId, payload, careful: false, internal: true, resolve: noop, reject: noop });
      }
    }
    const id = this.nextRequestId++;
    if (this.pending.size === 0) this.lastProgressAt = Date.now();
    this.pending.set(id, request);
    const kind = request.kind === 'I' && request.careful ? 'J' : request.kind;
    this.send(`${kind} ${id} ${request.scriptId}\t${request.payload}\n`);
  }

  private send(frame: string): void {
    this.outbox.push(frame);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      const frames = this.outbox;
      this.outbox = [];
      if (frames.length > 0) this.child?.stdin?.write(frames.join(''));
    });
  }

  private ensureChild(): void {
    if (this.child) return;
    this.generation++;
    this.stalled = false;
    this.stderrTail = '';
    this.replyBuffer = '';
    const options = { isolatedVmPath: this.isolatedVmPath, ...this.limits };
    // isolated-vm needs --no-node-snapshot on Node 20+; the environment is empty: the host needs nothing from ours.
    const child = spawn(process.execPath, ['--no-node-snapshot', '-e', `(${runScriptHost.toString()})(${JSON.stringify(options)})`], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {},
    });
    this.child = child;
    // A write to a host that just died fails with EPIPE; its requests are handled when it closes.
    child.stdin!.on('error', noop);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.onReplies(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', (error) => this.onHostGone(child, `could not run it: ${error.message}`));
    child.on('close', (code, signal) => this.onHostGone(child, signal ? `signal ${signal}` : `exit code ${code}`));
    const stallLimitMs = 2 * this.limits.timeoutMs + 5000;
    this.watchdog = setInterval(() => {
      if (this.pending.size === 0 || Date.now() - this.lastProgressAt < stallLimitMs) return;
      this.stalled = true;
      child.kill('SIGKILL');
    }, this.limits.timeoutMs);
    this.watchdog.unref();
  }

  private onReplies(chunk: string): void {
    const text = this.replyBuffer + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      this.onReply(text.slice(start, end));
      start = end + 1;
    }
    this.replyBuffer = text.slice(start);
    this.lastProgressAt = Date.now();
  }

  private onReply(frame: string): void {
    const tab = frame.indexOf('\t');
    const id = Number(frame.slice(2, tab));
    const request = this.pending.get(id);
    if (!request) return;
    this.pending.delete(id);
    const payload = frame.slice(tab + 1);
    if (frame[0] === 'R') request.resolve(payload);
    else request.reject(scriptError(JSON.parse(payload) as HostFailure, this.limits));
  }

  private onHostGone(child: ChildProcess, how: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    clearInterval(this.watchdog);
    this.outbox = []; // frames for the dead host: their requests are sent again below
    if (this.stopping) return;
    const cause: ScriptFailureKind = this.stalled
      ? 'stalled'
      : /is_heap_oom = 1|out of memory/i.test(this.stderrTail)
        ? 'memory'
        : 'crashed';
    this.logger.warn(`The script sandbox process ended (${how}, ${cause}); it starts again on the next script call`);
    const waiting = [...this.pending.values()].filter((request) => !request.internal);
    this.pending.clear();
    const [first, ...others] = waiting;
    if (!first) return;
    // Replies are written per chunk of input, so the first unanswered request is surely the culprit only
    // when it was alone or sent carefully; otherwise everyone is sent again, carefully, to find out.
    const culpritKnown = first.careful || others.length === 0;
    if (culpritKnown) first.reject(scriptError({ kind: cause }, this.limits, how));
    for (const request of culpritKnown ? others : waiting) this.dispatch({ ...request, careful: true });
  }

  private rejectAll(kind: ScriptFailureKind): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const request of waiting) request.reject(scriptError({ kind }, this.limits));
  }
}
