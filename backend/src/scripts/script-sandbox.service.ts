import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { CompiledScript, ScriptsApi } from '@edgewise/plugin-api';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ScriptError } from './script-error';
import { ScriptHostProcess } from './script-host-process';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The sandbox every user script runs in (rule-node scripts, the script test endpoint): isolated-vm
 * isolates in a child process (see script-host.ts), so scripts have no `process`, `require`, file system
 * or network, are stopped after SCRIPT_TIMEOUT_MS and at SCRIPT_MEMORY_LIMIT_MB, and whatever they do
 * fails only their own invocation. Each script gets its own context: scripts (and tenants) never see
 * each other's globals. Arguments and results cross as JSON text.
 */
@Injectable()
export class ScriptSandboxService implements ScriptsApi, OnModuleDestroy {
  private readonly host: ScriptHostProcess;
  private nextScriptId = 1;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.host = new ScriptHostProcess(
      { timeoutMs: config.scriptTimeoutMs, memoryLimitMb: config.scriptMemoryLimitMb },
      require.resolve('isolated-vm'),
    );
  }

  async compile(body: string, argNames: readonly string[]): Promise<CompiledScript> {
    const badName = argNames.find((name) => !IDENTIFIER.test(name));
    if (badName !== undefined)
      throw new ScriptError('syntax', `SyntaxError: argument name ${JSON.stringify(badName)} is not a JavaScript identifier; rename it`);
    const scriptId = this.nextScriptId++;
    await this.host.compile(scriptId, argNames.join(','), body);
    let disposed = false;
    return {
      invoke: async (args) => {
        const reply = await this.host.invoke(scriptId, JSON.stringify(args));
        return reply === '' ? undefined : JSON.parse(reply);
      },
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.host.forget(scriptId);
      },
    };
  }

  onModuleDestroy(): void {
    this.host.stop();
  }
}
