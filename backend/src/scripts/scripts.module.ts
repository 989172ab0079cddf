import { Module } from '@nestjs/common';
import { ScriptSandboxService } from './script-sandbox.service';
import { ScriptsController } from './scripts.controller';

/** The user-script sandbox (plugin-api's ScriptsApi for rule nodes) and the editor's script test endpoints. */
@Module({
  controllers: [ScriptsController],
  providers: [ScriptSandboxService],
  exports: [ScriptSandboxService],
})
export class ScriptsModule {}
