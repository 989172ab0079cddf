import { createTestNode, InMemoryServices, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it, vi } from 'vitest';
import { logNode } from './log';
import { scriptFilterNode } from './script-filter';
import { scriptSwitchNode } from './script-switch';
import { scriptTransformNode } from './script-transform';

const js = (jsScript: string) => ({ scriptLang: 'JS' as const, jsScript });
const tbel = (tbelScript: string) => ({ scriptLang: 'TBEL' as const, tbelScript });

describe('script filter', () => {
  it('routes by True or False as the script decides', async () => {
    const node = await createTestNode(scriptFilterNode, js('return msg.temperature > 20;'));
    expect(relationsOf(await node.send(testMsg({ data: { temperature: 25 } })))).toEqual(['True']);
    expect(relationsOf(await node.send(testMsg({ data: { temperature: 15 } })))).toEqual(['False']);
  });

  it('runs the script scriptLang names, with metadata and msgType', async () => {
    const node = await createTestNode(scriptFilterNode, {
      ...tbel("return metadata.deviceType == 'default' && msgType == 'POST_TELEMETRY_REQUEST';"),
      jsScript: 'return false;',
    });
    expect(relationsOf(await node.send(testMsg()))).toEqual(['True']);
  });

  it('fails a message when the script returns something other than a boolean, or throws', async () => {
    const node = await createTestNode(scriptFilterNode, js('if (msg.temperature > 100) throw new Error("sensor broken"); return "yes";'));
    expect(await node.send(testMsg())).toMatchObject([
      { kind: 'failure', error: 'Wrong result type: STRING; the script must return true or false' },
    ]);
    expect(await node.send(testMsg({ data: { temperature: 120 } }))).toMatchObject([{ kind: 'failure', error: 'sensor broken' }]);
  });

  it('refuses to build when the script does not compile', async () => {
    await expect(createTestNode(scriptFilterNode, js('return msg.temperature > ;'))).rejects.toThrow(
      /^jsScript does not compile: SyntaxError/,
    );
    await expect(createTestNode(scriptFilterNode, js('  '))).rejects.toThrow('jsScript is empty: write the script this node should run');
  });

  it('refuses a TBEL script that is not JavaScript, asking for a rewrite', async () => {
    const foreach = 'foreach (item : msg.items) { if (item > 10) { return true; } }\nreturn false;';
    await expect(createTestNode(scriptFilterNode, tbel(foreach))).rejects.toThrow(
      /^tbelScript is not valid JavaScript \(SyntaxError: .*\)\. Edgewise runs TBEL scripts as JavaScript: rewrite it in JavaScript/,
    );
  });

  it('runs configurations without scriptLang (exported before TBEL existed) as JavaScript', () => {
    expect(scriptFilterNode.upgrade!(0, { jsScript: 'return true;' })).toEqual({ scriptLang: 'JS', jsScript: 'return true;' });
    expect(scriptFilterNode.upgrade!(0, { scriptLang: 'TBEL', tbelScript: 'return true;' })).toMatchObject({ scriptLang: 'TBEL' });
  });

  it('releases its script when destroyed', async () => {
    const services = new InMemoryServices();
    const dispose = vi.fn();
    services.scripts = { compile: async () => ({ invoke: async () => true, dispose }) };
    const node = await createTestNode(scriptFilterNode, {}, { services });
    await node.destroy();
    expect(dispose).toHaveBeenCalledOnce();
  });
});

describe('script switch', () => {
  it("routes by every relation the script returns (ThingsBoard's default script)", async () => {
    const node = await createTestNode(scriptSwitchNode);
    expect(relationsOf(await node.send(testMsg()))).toEqual(['two']);
    expect(relationsOf(await node.send(testMsg({ type: 'POST_ATTRIBUTES_REQUEST' })))).toEqual(['one', 'nine']);
  });

  it('takes a single name, counts duplicates once and ends the message on an empty array', async () => {
    const node = await createTestNode(scriptSwitchNode, js('return msg.route;'));
    expect(relationsOf(await node.send(testMsg({ data: { route: 'Hot' } })))).toEqual(['Hot']);
    expect(relationsOf(await node.send(testMsg({ data: { route: ['Hot', 'Alarm', 'Hot'] } })))).toEqual(['Hot', 'Alarm']);
    expect(relationsOf(await node.send(testMsg({ data: { route: [] } })))).toEqual(['ack']);
    expect(await node.send(testMsg({ data: { route: ['Hot', 3] } }))).toMatchObject([
      { kind: 'failure', error: 'Wrong result type: ARRAY; the script must return a relation name or an array of relation names' },
    ]);
  });
});

describe('script transformation', () => {
  it('passes the same message on unchanged with the default script', async () => {
    const node = await createTestNode(scriptTransformNode);
    const msg = testMsg();
    expect(await node.send(msg)).toEqual([{ kind: 'next', relation: 'Success', msg: { ...msg } }]);
  });

  it('replaces only the parts the script returns', async () => {
    const node = await createTestNode(scriptTransformNode, js('return {msg: {temperatureF: msg.temperature * 9 / 5 + 32}};'));
    const msg = testMsg();
    const [emission] = await node.send(msg);
    expect(emission).toMatchObject({ kind: 'next', relation: 'Success' });
    expect(emission.msg).toEqual({ ...msg, data: '{"temperatureF":77}' });
  });

  it('writes returned metadata as strings, drops nulls and takes a new message type', async () => {
    const node = await createTestNode(
      scriptTransformNode,
      js('return {metadata: {count: 3, ok: true, gone: null, nested: {a: 1}, name: metadata.deviceName}, msgType: "CUSTOM"};'),
    );
    const [emission] = await node.send(testMsg());
    expect(emission.msg).toMatchObject({
      type: 'CUSTOM',
      metadata: { count: '3', ok: 'true', nested: '{"a":1}', name: 'Test Device' },
      data: '{"temperature":25}',
    });
    expect(emission.msg.metadata).not.toHaveProperty('gone');
  });

  it('queues one new message per array element and ends the original', async () => {
    const node = await createTestNode(
      scriptTransformNode,
      js('return msg.readings.map(function (r) { return {msg: {temperature: r}, metadata: metadata, msgType: msgType}; });'),
    );
    const msg = testMsg({ data: { readings: [21, 22] } });
    const emissions = await node.send(msg);
    expect(relationsOf(emissions)).toEqual(['enqueuedForTellNext', 'enqueuedForTellNext', 'ack']);
    expect(emissions.slice(0, 2).map((e) => [e.msg.data, e.msg.originator, e.kind === 'enqueuedForTellNext' && e.relation])).toEqual([
      ['{"temperature":21}', msg.originator, 'Success'],
      ['{"temperature":22}', msg.originator, 'Success'],
    ]);
    expect(new Set(emissions.map((e) => e.msg.id)).size).toBe(3);
  });

  it('fails on an empty array or a result that is not a message', async () => {
    const node = await createTestNode(scriptTransformNode, js('return msg.out;'));
    expect(await node.send(testMsg({ data: { out: [] } }))).toMatchObject([
      { kind: 'failure', error: /^Message or messages list are empty!/ },
    ]);
    expect(await node.send(testMsg({ data: { out: 42 } }))).toMatchObject([
      { kind: 'failure', error: 'Wrong result type: NUMBER; the script must return {msg, metadata, msgType}' },
    ]);
  });

  it('hands a payload that is not JSON to the script as text', async () => {
    const node = await createTestNode(scriptTransformNode, js('return {msg: msg.toUpperCase()};'));
    const [emission] = await node.send(testMsg({ data: 'hello', dataType: 'TEXT' }));
    expect(emission.msg.data).toBe('"HELLO"');
  });
});

describe('log', () => {
  it('logs the text the script builds and passes the message on', async () => {
    const node = await createTestNode(logNode, js("return 'temperature = ' + msg.temperature + ' from ' + metadata.deviceName;"));
    const msg = testMsg();
    expect(await node.send(msg)).toEqual([{ kind: 'next', relation: 'Success', msg }]);
    expect(node.logs).toEqual([{ level: 'info', message: 'temperature = 25 from Test Device' }]);
  });

  it("writes ThingsBoard's standard text for the default script without running it", async () => {
    const services = new InMemoryServices();
    const compile = vi.spyOn(services.scripts, 'compile');
    const node = await createTestNode(logNode, {}, { services });
    await node.send(testMsg());
    expect(compile).not.toHaveBeenCalled();
    expect(node.logs[0].message).toBe(
      '\nIncoming message:\n{"temperature":25}\nIncoming metadata:\n{"deviceName":"Test Device","deviceType":"default","ts":"1700000000000"}',
    );
  });

  it('needs a string from a JavaScript script; a TBEL one may return any value', async () => {
    const jsNode = await createTestNode(logNode, js('return msg;'));
    expect(await jsNode.send(testMsg())).toMatchObject([
      { kind: 'failure', error: 'Wrong result type: OBJECT; the script must return a string' },
    ]);
    const tbelNode = await createTestNode(logNode, tbel('return msg;'));
    await tbelNode.send(testMsg());
    expect(tbelNode.logs).toEqual([{ level: 'info', message: '{"temperature":25}' }]);
  });
});
