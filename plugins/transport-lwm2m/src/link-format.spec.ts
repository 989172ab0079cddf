import { describe, expect, it } from 'vitest';
import { formatLinks, LinkFormatError, parseLinks } from './link-format';
import { formatVersionedPath, parsePath, PathError } from './paths';

describe('CoRE link format', () => {
  it('parses a registration payload: root link with rt and ct, versioned objects, instances', () => {
    expect(parseLinks('</>;rt="oma.lwm2m";ct="60 110 112 11543",</1/0>, </3>;ver=1.2,</3/0>,</5/0>;ssid=101;obs')).toEqual([
      { uri: '/', attributes: { rt: 'oma.lwm2m', ct: '60 110 112 11543' } },
      { uri: '/1/0', attributes: {} },
      { uri: '/3', attributes: { ver: '1.2' } },
      { uri: '/3/0', attributes: {} },
      { uri: '/5/0', attributes: { ssid: '101', obs: '' } },
    ]);
  });

  it('accepts an empty document and a quoted value holding separators', () => {
    expect(parseLinks('  ')).toEqual([]);
    expect(parseLinks('</a>;title="x, y; z"')).toEqual([{ uri: '/a', attributes: { title: 'x, y; z' } }]);
  });

  it('says where a malformed document goes wrong', () => {
    expect(() => parseLinks('</1/0>;</3/0>')).toThrow(LinkFormatError);
    expect(() => parseLinks('/1/0')).toThrow(/must start with </);
    expect(() => parseLinks('</1/0> </3/0>')).toThrow(/separated by ","/);
    expect(() => parseLinks('</1/0;ver=1')).toThrow(/missing >/);
  });

  it('serialises links the way Discover answers them', () => {
    expect(
      formatLinks([
        { uri: '/3', attributes: { ver: '1.2' } },
        { uri: '/3/0/9', attributes: { pmin: '10', dim: '' } },
        { uri: '/', attributes: { rt: 'oma.lwm2m' } },
      ]),
    ).toBe('</3>;ver=1.2,</3/0/9>;pmin=10;dim,</>;rt="oma.lwm2m"');
  });
});

describe('LwM2M paths', () => {
  it('parses plain and versioned paths and formats them back', () => {
    expect(parsePath('/3_1.2/0/9')).toEqual({ path: { objectId: 3, instanceId: 0, resourceId: 9 }, version: '1.2' });
    expect(parsePath('/3/0/6/1').path).toEqual({ objectId: 3, instanceId: 0, resourceId: 6, resourceInstanceId: 1 });
    expect(formatVersionedPath({ objectId: 3, instanceId: 0, resourceId: 9 }, '1.2')).toBe('/3_1.2/0/9');
  });

  it('refuses what is not a path, naming the expected form', () => {
    for (const bad of ['', '/', '/a/0', '/3/0/9/1/2', '/3_x/0', '/70000']) expect(() => parsePath(bad)).toThrow(PathError);
  });
});
