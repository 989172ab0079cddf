import type IsolatedVm from 'isolated-vm';

/**
 * The script host: a child process that runs user scripts in an isolated-vm isolate. It lives in its own
 * process because V8 cannot survive every out-of-memory condition: a single huge allocation (a 300 MB
 * array, say) aborts the whole process that owns the isolate, whatever its memory limit. Here that only
 * ends the host; the server restarts it and fails the one invocation that caused it.
 *
 * Protocol: one frame per line on stdin, one reply per request frame on stdout, in request order.
 *   `C <id> <scriptId>\t{"params":"msg,metadata,msgType","body":"…"}`  compile (body of a function of params)
 *   `I <id> <scriptId>\t<JSON array of arguments>`                     invoke
 *   `J <id> <scriptId>\t<JSON array of arguments>`                     invoke, with the replies before and after
 *                                                                       written at once (the server retries
 *                                                                       invocations this way after a crash, to
 *                                                                       learn exactly which one caused it)
 *   `D 0 <scriptId>\t`                                                 forget the script (no reply)
 * Replies: `R <id>\t<JSON of the result, empty for undefined>` or `E <id>\t<HostFailure as JSON>`.
 * Replies are otherwise written once per chunk of input, which keeps the per-call cost low under load.
 */

/** How a request failed inside the host. */
export interface HostFailure {
  /** syntax: does not compile; thrown: the script threw; timeout / memory: a limit was hit; internal: host bug. */
  kind: 'syntax' | 'thrown' | 'timeout' | 'memory' | 'internal';
  /** The JavaScript error's name (SyntaxError, ReferenceError …); empty when the script threw a non-Error. */
  name: string;
  message: string;
  /** Position of a syntax error in the script body (1-based). */
  line?: number;
  column?: number;
}

export interface ScriptHostOptions {
  /** Resolved by the server, so the host finds isolated-vm wherever it is installed. */
  isolatedVmPath: string;
  memoryLimitMb: number;
  timeoutMs: number;
}

/**
 * The host's whole program. It runs in the child (the server passes its source text to `node -e`), so it
 * must not use anything from this module's scope: only its argument, `require` and `process`.
 */
export function runScriptHost(options: ScriptHostOptions): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs as `node -e`, a CommonJS script
  const ivm = require(options.isolatedVmPath) as typeof IsolatedVm;

  // Builds the invoker of one script inside its own context. Arguments arrive as one JSON text and the
  // result leaves as one (strings cross the isolate boundary without a structured copy). `new Function`
  // takes the body as a function body only (it cannot close the function early and run code around it);
  // the built-ins the invoker needs are captured before any user code runs, so a script cannot swap them.
  const INVOKER_FACTORY = `(function (params, body) {
    const parse = JSON.parse, stringify = JSON.stringify, apply = Reflect.apply;
    const userFunction = new Function(params, body);
    return function (argsJson) { return stringify(apply(userFunction, undefined, parse(argsJson))); };
  })`;

  interface Spec {
    params: string;
    body: string;
  }
  interface Compiled {
    context: IsolatedVm.Context;
    invoker: IsolatedVm.Reference<(argsJson: string) => string | undefined>;
  }

  let isolate: IsolatedVm.Isolate | undefined;
  let factoryScript: IsolatedVm.Script | undefined;
  const specs = new Map<string, Spec>();
  const compiled = new Map<string, Compiled>();

  /** The live isolate; a new one (with every script compiled again on first use) after the old one died. */
  function liveIsolate(): IsolatedVm.Isolate {
    if (!isolate || isolate.isDisposed) {
      isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb });
      factoryScript = isolate.compileScriptSync(INVOKER_FACTORY);
      compiled.clear();
    }
    return isolate;
  }

  function failureOf(error: unknown): HostFailure {
    if (isolate?.isDisposed) return { kind: 'memory', name: '', message: '' };
    if (!(error instanceof Error)) return { kind: 'thrown', name: '', message: String(error) };
    if (error.message === 'Script execution timed out.') return { kind: 'timeout', name: '', message: '' };
    // ArrayBuffers live outside the V8 heap; isolated-vm's allocator refuses them beyond the limit.
    if (error.name === 'RangeError' && error.message === 'Array buffer allocation failed') return { kind: 'memory', name: '', message: '' };
    return { kind: 'thrown', name: error.name, message: error.message };
  }

  /** `new Function` reports no position; compiling the same text as a script does. */
  function syntaxFailure(spec: Spec, error: Error): HostFailure {
    try {
      liveIsolate().compileScriptSync(`(function (${spec.params}) {\n${spec.body}\n})`, { filename: 'script' });
    } catch (located) {
      const match = /^(.*) \[script:(\d+):(\d+)\]$/.exec((located as Error).message);
      if (match) return { kind: 'syntax', name: 'SyntaxError', message: match[1], line: Number(match[2]) - 1, column: Number(match[3]) };
    }
    return { kind: 'syntax', name: 'SyntaxError', message: error.message };
  }

  function compile(scriptId: string, spec: Spec): void {
    const context = liveIsolate().createContextSync();
    try {
      const factory = factoryScript!.runSync(context, { reference: true });
      try {
        const invoker = factory.applySync(undefined, [spec.params, spec.body], { result: { reference: true }, timeout: options.timeoutMs });
        compiled.set(scriptId, { context, invoker: invoker as Compiled['invoker'] });
      } finally {
        factory.release();
      }
    } catch (error) {
      context.release();
      throw error;
    }
  }

  function forget(scriptId: string): void {
    specs.delete(scriptId);
    const entry = compiled.get(scriptId);
    compiled.delete(scriptId);
    if (entry && !isolate?.isDisposed) {
      entry.invoker.release();
      entry.context.release();
    }
  }

  function invoke(scriptId: string, argsJson: string): string | undefined {
    if (!compiled.has(scriptId) || isolate?.isDisposed) {
      compile(scriptId, specs.get(scriptId)!);
    }
    return compiled.get(scriptId)!.invoker.applySync(undefined, [argsJson], { timeout: options.timeoutMs });
  }

  let output: string[] = [];
  const flush = () => {
    if (output.length === 0) return;
    process.stdout.write(output.join(''));
    output = [];
  };
  const reply = (id: string, result: string | undefined) => void output.push(`R ${id}\t${result ?? ''}\n`);
  const fail = (id: string, failure: HostFailure) => void output.push(`E ${id}\t${JSON.stringify(failure)}\n`);

  function handle(frame: string): void {
    const tab = frame.indexOf('\t');
    const [kind, id, scriptId] = frame.slice(0, tab).split(' ');
    const payload = frame.slice(tab + 1);
    if (kind === 'D') return forget(scriptId);
    if (kind === 'C') {
      const spec = JSON.parse(payload) as Spec;
      try {
        compile(scriptId, spec);
        specs.set(scriptId, spec);
        reply(id, undefined);
      } catch (error) {
        const failure = failureOf(error);
        fail(id, failure.kind === 'thrown' && failure.name === 'SyntaxError' ? syntaxFailure(spec, error as Error) : failure);
      }
      return;
    }
    if (!specs.has(scriptId)) return fail(id, { kind: 'internal', name: '', message: `script ${scriptId} is not loaded` });
    const careful = kind === 'J';
    if (careful) flush();
    try {
      reply(id, invoke(scriptId, payload));
    } catch (error) {
      fail(id, failureOf(error));
    }
    if (careful) flush();
  }

  let partial = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    const frames = (partial + chunk).split('\n');
    partial = frames.pop()!;
    for (const frame of frames) handle(frame);
    flush();
  });
  // The server closed the pipe (it stopped or died): nothing more to do.
  process.stdin.on('end', () => process.exit(0));
}
