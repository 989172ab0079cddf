import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { ApiError } from '../errors/api-error';
import { TestScriptDto } from './dto/test-script.dto';
import { ScriptSandboxService } from './script-sandbox.service';
import { runTestScript, SCRIPT_LANGS } from './script-test';

/** The rule-chain editor's script tools (rest-api.md §2.7); the rest of /api/ruleChain lives in rule-chains. */
@ApiTags('rule-chains')
@ApiBearerAuth()
@Controller('api/ruleChain')
@Roles('TENANT_ADMIN', 'SYS_ADMIN')
export class ScriptsController {
  constructor(private readonly sandbox: ScriptSandboxService) {}

  /** Runs a script once against a sample message; always 200, the script's failure goes into `error`. */
  @Post('testScript')
  @HttpCode(200)
  @ApiQuery({ name: 'scriptLang', required: false, enum: SCRIPT_LANGS, description: 'JS when absent; TBEL runs as JavaScript' })
  async testScript(@Query('scriptLang') scriptLang: string | undefined, @Body() request: TestScriptDto) {
    const lang = SCRIPT_LANGS.find((known) => known === (scriptLang ?? 'JS'));
    if (!lang) throw ApiError.badRequest(`Unknown scriptLang '${scriptLang}': use JS or TBEL`);
    try {
      return { output: await runTestScript(this.sandbox, lang, request), error: '' };
    } catch (error) {
      return { output: '', error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** TBEL scripts are accepted (and run as JavaScript), so the editor offers them. */
  @Get('tbelEnabled')
  tbelEnabled(): boolean {
    return true;
  }
}
