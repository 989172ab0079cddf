import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { jsonPathNode } from './json-path';

const msg = testMsg({ data: { device: { name: 'A', readings: [{ t: 20 }, { t: 25 }, { t: 30 }] } } });

async function run(jsonPath: string, input = msg) {
  const node = await createTestNode(jsonPathNode, { jsonPath });
  return node.send(input);
}

describe('json path', () => {
  it('replaces the data with the selected element', async () => {
    const [out] = await run('$.device.name');
    expect(out).toMatchObject({ kind: 'next', relation: 'Success' });
    expect(out.msg.data).toBe('"A"');
    expect((await run('$.device.readings[1]'))[0].msg.data).toBe('{"t":25}');
    expect((await run('$.device.readings'))[0].msg.data).toBe('[{"t":20},{"t":25},{"t":30}]');
  });

  it('gives a list for wildcards and filters, possibly empty', async () => {
    expect((await run('$.device.readings[*].t'))[0].msg.data).toBe('[20,25,30]');
    expect((await run('$..readings[?(@.t > 22)].t'))[0].msg.data).toBe('[25,30]');
    expect((await run('$..readings[?(@.t > 99)]'))[0].msg.data).toBe('[]');
  });

  it('passes the message untouched with the default path $', async () => {
    expect(jsonPathNode.defaultConfig).toEqual({ jsonPath: '$' });
    const [out] = await run('$');
    expect(out.msg).toBe(msg);
  });

  it('fails when a single-element path finds nothing', async () => {
    const emissions = await run('$.device.serial');
    expect(relationsOf(emissions)).toEqual(['Failure']);
    expect(emissions[0]).toMatchObject({ error: expect.stringContaining('No value at JSONPath "$.device.serial"') });
  });

  it('fails on data that is not JSON', async () => {
    const emissions = await run('$.a', testMsg({ data: 'not json', dataType: 'TEXT' }));
    expect(emissions[0]).toMatchObject({ kind: 'failure', error: expect.stringContaining('Message data is not valid JSON') });
  });

  it('refuses an empty path', async () => {
    await expect(createTestNode(jsonPathNode, { jsonPath: ' ' })).rejects.toThrow(/Set "jsonPath"/);
  });
});
