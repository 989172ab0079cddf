import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptSandboxService } from '../src/scripts/script-sandbox.service';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createCustomerUser } from './tenant-fixtures';

const TIMEOUT_MS = 300;

const MSG_ARGS = ['msg', 'metadata', 'msgType'];
const sample = (script: string, scriptType = 'update', argNames = MSG_ARGS) => ({
  script,
  scriptType,
  argNames,
  msg: '{"temperature": 42}',
  metadata: { deviceName: 'Device A', deviceType: 'Thermometer' },
  msgType: 'POST_TELEMETRY_REQUEST',
});

/** Scripts that try to hurt the server. */
const HOSTILE = {
  endlessLoop: 'while (true) {}',
  // One 1 GB array in a single allocation: V8 cannot recover from that inside the process that owns the isolate.
  oneGigabyteArray: 'var big = new Array(128 * 1024 * 1024).fill(0); return big.length;',
  growingForever: 'var kept = []; while (true) kept.push(new Array(1000000).fill(1));',
  oneGigabyteBuffer: 'return new Uint8Array(1024 * 1024 * 1024).length;',
};

describe('scripts: sandbox and script test endpoint', () => {
  let app: TestApp;
  let tenantApi: ApiClient;

  beforeAll(async () => {
    app = await startTestApp({ SCRIPT_TIMEOUT_MS: String(TIMEOUT_MS) });
    tenantApi = await app.api.login(TENANT_ADMIN);
  });
  afterAll(() => app?.close());

  const testScript = async (body: unknown, query = '') => {
    const result = await tenantApi.post(`/api/ruleChain/testScript${query}`, body);
    expect(result.status).toBe(200);
    return result.body as { output: string; error: string };
  };

  /** A normal script still runs: the server (and its sandbox) survived whatever came before. */
  const expectStillServing = async () => {
    expect(await testScript(sample('return msg.temperature > 40;', 'filter'))).toEqual({ output: 'true', error: '' });
  };

  describe('script types', () => {
    it("update: renders the returned message as ThingsBoard's editor expects it", async () => {
      expect(await testScript(sample('return {msg: msg, metadata: metadata, msgType: msgType};'))).toEqual({
        output:
          '{"msg":{"temperature":42},"metadata":{"deviceName":"Device A","deviceType":"Thermometer"},"msgType":"POST_TELEMETRY_REQUEST"}',
        error: '',
      });
    });

    it('update: keeps what the script leaves out, and renders several messages as an array', async () => {
      const partial = await testScript(sample('return {msg: {temperatureF: msg.temperature * 9 / 5 + 32}};'));
      expect(JSON.parse(partial.output)).toEqual({
        msg: { temperatureF: 107.6 },
        metadata: { deviceName: 'Device A', deviceType: 'Thermometer' },
        msgType: 'POST_TELEMETRY_REQUEST',
      });
      const split = await testScript(sample('return [{msg: {a: 1}}, {msg: {b: 2}, msgType: "OTHER"}];'));
      expect(JSON.parse(split.output)).toEqual([
        { msg: { a: 1 }, metadata: { deviceName: 'Device A', deviceType: 'Thermometer' }, msgType: 'POST_TELEMETRY_REQUEST' },
        { msg: { b: 2 }, metadata: { deviceName: 'Device A', deviceType: 'Thermometer' }, msgType: 'OTHER' },
      ]);
    });

    it('generate: runs with the generator argument names', async () => {
      const script = 'return {msg: {n: prevMsg.temperature + 1}, metadata: {from: prevMetadata.deviceName}, msgType: prevMsgType};';
      expect(await testScript(sample(script, 'generate', ['prevMsg', 'prevMetadata', 'prevMsgType']))).toEqual({
        output: '{"msg":{"n":43},"metadata":{"from":"Device A"},"msgType":"POST_TELEMETRY_REQUEST"}',
        error: '',
      });
    });

    it('filter, switch, json and string', async () => {
      expect(await testScript(sample('return msg.temperature > 50;', 'filter'))).toEqual({ output: 'false', error: '' });
      expect(await testScript(sample("return msg.temperature > 40 ? ['Hot', 'Other'] : 'Other';", 'switch'))).toEqual({
        output: '["Hot","Other"]',
        error: '',
      });
      expect(await testScript(sample('return {t: msg.temperature, list: [1, 2]};', 'json'))).toEqual({
        output: '{"t":42,"list":[1,2]}',
        error: '',
      });
      expect(await testScript(sample("return 'temperature = ' + msg.temperature;", 'string'))).toEqual({
        output: 'temperature = 42',
        error: '',
      });
    });

    it('reports a result of the wrong type and an unknown script type in `error`', async () => {
      expect(await testScript(sample('return "yes";', 'filter'))).toEqual({
        output: '',
        error: 'Wrong result type: STRING; the script must return true or false',
      });
      expect(await testScript(sample('return 1;', 'magic'))).toEqual({
        output: '',
        error: 'Unsupported script type: magic; use update, generate, filter, switch, json, string',
      });
    });
  });

  describe('TBEL', () => {
    it('is enabled, and simple TBEL runs as JavaScript', async () => {
      expect((await tenantApi.get('/api/ruleChain/tbelEnabled')).body).toBe(true);
      const logScript = "return '\\nIncoming message:\\n' + JSON.stringify(msg) + '\\nIncoming metadata:\\n' + JSON.stringify(metadata);";
      expect(await testScript(sample(logScript, 'string'), '?scriptLang=TBEL')).toEqual({
        output: '\nIncoming message:\n{"temperature":42}\nIncoming metadata:\n{"deviceName":"Device A","deviceType":"Thermometer"}',
        error: '',
      });
    });

    it('asks for a rewrite when a TBEL script is not valid JavaScript', async () => {
      const { output, error } = await testScript(sample('foreach (key : msg.keySet()) { }\nreturn msg;'), '?scriptLang=TBEL');
      expect(output).toBe('');
      expect(error).toMatch(
        /^tbelScript is not valid JavaScript \(SyntaxError: .+\)\. Edgewise runs TBEL scripts as JavaScript: rewrite it/,
      );
    });
  });

  describe('scripts that fail', () => {
    it('names the syntax error and where it is', async () => {
      expect(await testScript(sample('var t = msg.temperature;\nreturn {msg: ;'))).toEqual({
        output: '',
        error: "jsScript does not compile: SyntaxError: Unexpected token ';' (line 2, column 14)",
      });
      await expectStillServing();
    });

    it('passes on what the script threw', async () => {
      expect(await testScript(sample('throw new Error("sensor offline");'))).toEqual({ output: '', error: 'Error: sensor offline' });
    });

    it('stops an endless loop after the configured time', async () => {
      expect(await testScript(sample(HOSTILE.endlessLoop))).toEqual({
        output: '',
        error: `Script timed out after ${TIMEOUT_MS} ms: look for an endless loop, or raise SCRIPT_TIMEOUT_MS if it really needs longer`,
      });
      await expectStillServing();
    });

    it.each(
      Object.entries({
        oneGigabyteArray: HOSTILE.oneGigabyteArray,
        growingForever: HOSTILE.growingForever,
        oneGigabyteBuffer: HOSTILE.oneGigabyteBuffer,
      }),
    )('stops a script that takes too much memory (%s)', async (_name, script) => {
      expect(await testScript(sample(script))).toEqual({
        output: '',
        error: 'Script exceeded its memory limit of 128 MB: make it build smaller values, or raise SCRIPT_MEMORY_LIMIT_MB',
      });
      await expectStillServing();
    });

    it('has no require, process, file system or network', async () => {
      const requireFs = await testScript(sample("return require('fs').readFileSync('/etc/passwd', 'utf8');"));
      expect(requireFs.error).toMatch(/^ReferenceError: require is not defined \(scripts run in a sandbox without Node\.js/);
      const exit = await testScript(sample('process.exit(1);'));
      expect(exit.error).toMatch(/^ReferenceError: process is not defined/);
      const network = await testScript(sample("return fetch('http://127.0.0.1/');"));
      expect(network.error).toMatch(/^ReferenceError: fetch is not defined/);
      await expectStillServing();
    });
  });

  describe('the sandbox as rule nodes use it', () => {
    it('keeps compiled scripts working after the sandbox had to restart, failing only the culprit', async () => {
      const sandbox = app.running.app.get(ScriptSandboxService);
      const double = await sandbox.compile('return msg.value * 2;', MSG_ARGS);
      const culprit = await sandbox.compile(HOSTILE.oneGigabyteArray, MSG_ARGS);
      const innocent = (value: number) => double.invoke([{ value }, {}, 'POST_TELEMETRY_REQUEST']);
      const outcomes = await Promise.allSettled([
        ...[1, 2, 3].map(innocent),
        culprit.invoke([{}, {}, 'POST_TELEMETRY_REQUEST']),
        ...[4, 5, 6].map(innocent),
      ]);
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
        2,
        4,
        6,
        'Script exceeded its memory limit of 128 MB: make it build smaller values, or raise SCRIPT_MEMORY_LIMIT_MB',
        8,
        10,
        12,
      ]);
      expect(await innocent(21)).toBe(42);
      double.dispose();
      culprit.dispose();
    });

    it('gives every script globals of its own', async () => {
      const sandbox = app.running.app.get(ScriptSandboxService);
      const writer = await sandbox.compile('secret = msg; Object.prototype.polluted = true; return true;', MSG_ARGS);
      const reader = await sandbox.compile('return [typeof secret, ({}).polluted === true];', MSG_ARGS);
      await writer.invoke(['tenant A data', {}, 'X']);
      expect(await reader.invoke([null, {}, 'X'])).toEqual(['undefined', false]);
      writer.dispose();
      reader.dispose();
    });
  });

  describe('access', () => {
    it('answers 400 with the reason when a field is missing or scriptLang is unknown', async () => {
      const { msg: _msg, ...withoutMsg } = sample('return true;', 'filter');
      const missing = await tenantApi.post('/api/ruleChain/testScript', withoutMsg);
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ status: 400, errorCode: 31, message: expect.stringMatching(/^msg is required/) });
      const badLang = await tenantApi.post('/api/ruleChain/testScript?scriptLang=PYTHON', sample('return true;', 'filter'));
      expect(badLang.status).toBe(400);
      expect(badLang.body.message).toBe("Unknown scriptLang 'PYTHON': use JS or TBEL");
    });

    it('lets tenant and system administrators in, nobody else', async () => {
      const body = sample('return true;', 'filter');
      expect((await app.api.post('/api/ruleChain/testScript', body)).status).toBe(401);
      expect((await app.api.get('/api/ruleChain/tbelEnabled')).status).toBe(401);
      const { userApi } = await createCustomerUser(tenantApi, 'Script Customer');
      expect((await userApi.post('/api/ruleChain/testScript', body)).status).toBe(403);
      expect((await userApi.get('/api/ruleChain/tbelEnabled')).status).toBe(403);
      const sysadminApi = await app.api.login(SYSADMIN);
      expect((await sysadminApi.post('/api/ruleChain/testScript', body)).body).toEqual({ output: 'true', error: '' });
    });
  });
});
