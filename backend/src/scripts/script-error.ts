import type { HostFailure } from './script-host';

/** Why an invocation failed: what the host reported, or what happened to the host process itself. */
export type ScriptFailureKind = HostFailure['kind'] | 'crashed' | 'stalled' | 'stopped';

/** Names a script may reach for in Node.js that the sandbox deliberately does not have. */
const NODE_ONLY_GLOBALS = new Set([
  'require',
  'process',
  'module',
  'exports',
  'global',
  'Buffer',
  '__dirname',
  '__filename',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'fetch',
]);

/**
 * A script that did not compile or whose invocation failed. `name` is `SyntaxError` for scripts that do
 * not compile (so callers can tell them from run-time failures); the message always starts with what
 * happened and ends with what to do.
 */
export class ScriptError extends Error {
  constructor(
    readonly kind: ScriptFailureKind,
    message: string,
  ) {
    super(message);
    this.name = kind === 'syntax' ? 'SyntaxError' : 'ScriptError';
  }
}

export interface SandboxLimits {
  timeoutMs: number;
  memoryLimitMb: number;
}

function thrownMessage(failure: HostFailure): string {
  const text = failure.name ? `${failure.name}: ${failure.message}` : failure.message;
  const missing = failure.name === 'ReferenceError' && /^(\S+) is not defined$/.exec(failure.message)?.[1];
  return missing && NODE_ONLY_GLOBALS.has(missing)
    ? `${text} (scripts run in a sandbox without Node.js: no require, process, timers, file system or network; work with msg, metadata and msgType only)`
    : text;
}

/** The error for a failure, worded for the person who wrote the script. */
export function scriptError(
  failure: { kind: ScriptFailureKind } & Partial<Omit<HostFailure, 'kind'>>,
  limits: SandboxLimits,
  detail = '',
): ScriptError {
  const { kind } = failure;
  switch (kind) {
    case 'syntax': {
      const where = failure.line ? ` (line ${failure.line}, column ${failure.column})` : '';
      return new ScriptError(kind, `SyntaxError: ${failure.message}${where}`);
    }
    case 'thrown':
      return new ScriptError(kind, thrownMessage(failure as HostFailure));
    case 'timeout':
      return new ScriptError(
        kind,
        `Script timed out after ${limits.timeoutMs} ms: look for an endless loop, or raise SCRIPT_TIMEOUT_MS if it really needs longer`,
      );
    case 'memory':
      return new ScriptError(
        kind,
        `Script exceeded its memory limit of ${limits.memoryLimitMb} MB: make it build smaller values, or raise SCRIPT_MEMORY_LIMIT_MB`,
      );
    case 'crashed':
      return new ScriptError(
        kind,
        `The script sandbox stopped while running this script (${detail}) and was restarted; simplify the script`,
      );
    case 'stalled':
      return new ScriptError(kind, `The script sandbox stopped answering while running this script and was restarted; simplify the script`);
    case 'stopped':
      return new ScriptError(
        kind,
        'The script sandbox is shut down because the server is stopping; send the message again after the restart',
      );
    case 'internal':
      return new ScriptError(kind, `The script sandbox failed (${failure.message}); please report this as a bug`);
  }
}
