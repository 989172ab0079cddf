import { describe, expect, it } from 'vitest';
import type { ResourceType } from '../object-model';
import { parsePath, type Lwm2mPath } from '../paths';
import type { ResourceValue } from '../values';
import { CodecError, ContentFormat, decodeContent, encodeContent } from './content';

/** Types of a few Device (3) resources, and of a test object 3303 (Temperature). */
const TYPES: Record<string, ResourceType> = {
  '3/0': 'STRING',
  '3/1': 'STRING',
  '3/2': 'STRING',
  '3/3': 'STRING',
  '3/6': 'INTEGER',
  '3/7': 'INTEGER',
  '3/9': 'INTEGER',
  '3/13': 'TIME',
  '3/14': 'STRING',
  '3303/5700': 'FLOAT',
  '3303/5701': 'STRING',
  '5/0': 'OPAQUE',
  '5/10': 'BOOLEAN',
  '9/17': 'OBJLNK',
};
const typeOf = (path: Lwm2mPath) => TYPES[`${path.objectId}/${path.resourceId}`];
const path = (text: string) => parsePath(text).path;
const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const plain = (values: ResourceValue[]) =>
  values.map((v) => [
    `/${[v.path.objectId, v.path.instanceId, v.path.resourceId, v.path.resourceInstanceId].filter((x) => x !== undefined).join('/')}`,
    v.value,
  ]);

describe('TLV', () => {
  it('decodes the Device instance example of the LwM2M specification, multiple resources included', () => {
    // OMA-TS-LightweightM2M-V1_0, Read /3/0 in TLV (shortened): manufacturer, model, firmware, power sources, battery
    const payload = hex(`
      C8 00 14 4F70656E204D6F62696C6520416C6C69616E6365
      C8 01 16 4C69676874776569676874204D324D20436C69656E74
      C3 03 312E30
      86 06 41 00 01 41 01 05
      88 07 08 42 00 0ED8 42 01 1388
      C1 09 64`);
    expect(plain(decodeContent(ContentFormat.TLV, payload, path('/3/0'), typeOf))).toEqual([
      ['/3/0/0', 'Open Mobile Alliance'],
      ['/3/0/1', 'Lightweight M2M Client'],
      ['/3/0/3', '1.0'],
      ['/3/0/6/0', 1],
      ['/3/0/6/1', 5],
      ['/3/0/7/0', 3800],
      ['/3/0/7/1', 5000],
      ['/3/0/9', 100],
    ]);
  });

  it('decodes an object read (instances wrapped) and a single resource read', () => {
    const object = hex('06 00 C1 09 64 C1 0D 05');
    expect(plain(decodeContent(ContentFormat.TLV, object, path('/3'), typeOf))).toEqual([
      ['/3/0/9', 100],
      ['/3/0/13', 5],
    ]);
    expect(plain(decodeContent(ContentFormat.OLD_TLV, hex('C1 09 57'), path('/3/0/9'), typeOf))).toEqual([['/3/0/9', 87]]);
  });

  it('reads signed integers of every width, floats, booleans and object links', () => {
    const values = (payload: string, target: string) => decodeContent(ContentFormat.TLV, hex(payload), path(target), typeOf)[0].value;
    expect(values('C2 09 FF38', '/3/0/9')).toBe(-200);
    expect(values('C4 09 80000000', '/3/0/9')).toBe(-2147483648);
    expect(values('C8 09 08 7FFFFFFFFFFFFFFF', '/3/0/9')).toBe(9223372036854775807n);
    expect(values('E4 1644 41C80000', '/3303/0/5700')).toBe(25);
    expect(values('C1 0A 01', '/5/0/10')).toBe(true);
    expect(values('C4 11 00030001', '/9/0/17')).toBe('3:1');
  });

  it('round-trips what it encodes: resources of an instance, a multiple resource, long values and 16-bit ids', () => {
    const values: ResourceValue[] = [
      { path: path('/3303/0/5700'), type: 'FLOAT', value: 21.5 },
      { path: path('/3303/0/5701'), type: 'STRING', value: 'Cel'.repeat(100) },
      { path: path('/3/0/6/0'), type: 'INTEGER', value: 1 },
      { path: path('/3/0/6/3'), type: 'INTEGER', value: -70000 },
    ];
    const bytes = encodeContent(ContentFormat.TLV, values.slice(0, 2), path('/3303/0'));
    expect(plain(decodeContent(ContentFormat.TLV, bytes, path('/3303/0'), typeOf))).toEqual(plain(values.slice(0, 2)));
    const multiple = encodeContent(ContentFormat.TLV, values.slice(2), path('/3/0/6'));
    expect(Buffer.from(multiple).toString('hex')).toBe('8806094100014403fffeee90');
    expect(plain(decodeContent(ContentFormat.TLV, multiple, path('/3/0/6'), typeOf))).toEqual(plain(values.slice(2)));
    const created = encodeContent(ContentFormat.TLV, values.slice(0, 1), path('/3303'), 7);
    expect(plain(decodeContent(ContentFormat.TLV, created, path('/3303'), typeOf))).toEqual([['/3303/7/5700', 21.5]]);
  });

  it('says what is wrong with a truncated payload instead of throwing a RangeError', () => {
    expect(() => decodeContent(ContentFormat.TLV, hex('C8 00 14 4F70'), path('/3/0'), typeOf)).toThrow(CodecError);
    expect(() => decodeContent(ContentFormat.TLV, hex('C3 09 0102'), path('/3/0'), typeOf)).toThrow(/truncated/);
  });

  it('skips resources the model does not know', () => {
    expect(plain(decodeContent(ContentFormat.TLV, hex('C1 63 01 C1 09 64'), path('/3/0'), typeOf))).toEqual([['/3/0/9', 100]]);
  });
});

describe('SenML', () => {
  const senmlJson =
    '[{"bn":"/3/0/","n":"0","vs":"Edgewise"},{"n":"9","v":87},{"n":"6/1","v":5},{"bn":"/5/0/","n":"10","vb":true},{"n":"0","vd":"AQID"}]';

  it('decodes SenML JSON with base names, every value kind, and times as milliseconds', () => {
    const values = decodeContent(ContentFormat.SENML_JSON, Buffer.from(senmlJson), path('/3/0'), typeOf);
    expect(plain(values)).toEqual([
      ['/3/0/0', 'Edgewise'],
      ['/3/0/9', 87],
      ['/3/0/6/1', 5],
      ['/5/0/10', true],
      ['/5/0/0', Uint8Array.of(1, 2, 3)],
    ]);
    const timed = decodeContent(
      ContentFormat.SENML_JSON,
      Buffer.from('[{"bn":"/3/0/9","bt":1700000000,"v":80},{"t":60,"v":81}]'),
      path('/3/0/9'),
      typeOf,
    );
    expect(timed.map((v) => [v.value, v.ts])).toEqual([
      [80, 1700000000000],
      [81, 1700000060000],
    ]);
  });

  it('round-trips SenML JSON and SenML CBOR (cbor-x) for every value kind', () => {
    const values: ResourceValue[] = [
      { path: path('/3/0/14'), type: 'STRING', value: '+02' },
      { path: path('/3/0/9'), type: 'INTEGER', value: 42 },
      { path: path('/3303/0/5700'), type: 'FLOAT', value: -3.25 },
      { path: path('/5/0/10'), type: 'BOOLEAN', value: false },
      { path: path('/5/0/0'), type: 'OPAQUE', value: Uint8Array.of(0xff, 0, 7) },
      { path: path('/9/0/17'), type: 'OBJLNK', value: '3:0' },
    ];
    for (const format of [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR]) {
      const bytes = encodeContent(format, values, path('/3/0'));
      expect(plain(decodeContent(format, bytes, path('/3/0'), typeOf))).toEqual(plain(values));
    }
    // CBOR labels are RFC 8428's integers: n = 0, v = 2
    expect(Buffer.from(encodeContent(ContentFormat.SENML_CBOR, values.slice(1, 2), path('/3/0/9'))).toString('hex')).toBe(
      '81a200662f332f302f3902182a',
    );
  });

  it('refuses a record whose value does not fit the resource type, and a payload that is not SenML', () => {
    expect(() => decodeContent(ContentFormat.SENML_JSON, Buffer.from('[{"n":"/3/0/9","vs":"x"}]'), path('/3/0/9'), typeOf)).toThrow(
      /INTEGER/,
    );
    expect(() => decodeContent(ContentFormat.SENML_JSON, Buffer.from('{"n":1}'), path('/3/0/9'), typeOf)).toThrow(CodecError);
    expect(() => decodeContent(ContentFormat.SENML_CBOR, Uint8Array.of(0xff), path('/3/0/9'), typeOf)).toThrow(CodecError);
  });
});

describe('OMA LwM2M JSON, CBOR, text and opaque', () => {
  it('decodes and encodes LwM2M 1.0 JSON', () => {
    const payload = Buffer.from('{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"9","v":95},{"n":"6/0","v":1}]}');
    expect(plain(decodeContent(ContentFormat.JSON, payload, path('/3/0'), typeOf))).toEqual([
      ['/3/0/0', 'Open Mobile Alliance'],
      ['/3/0/9', 95],
      ['/3/0/6/0', 1],
    ]);
    const written = encodeContent(ContentFormat.JSON, [{ path: path('/3/0/14'), type: 'STRING', value: '+02' }], path('/3/0/14'));
    expect(JSON.parse(Buffer.from(written).toString())).toEqual({ bn: '/3/0/', e: [{ n: '14', sv: '+02' }] });
  });

  it('carries single values as CBOR, text and opaque', () => {
    const cbor = encodeContent(ContentFormat.CBOR, [{ path: path('/3/0/9'), type: 'INTEGER', value: 87 }], path('/3/0/9'));
    expect(plain(decodeContent(ContentFormat.CBOR, cbor, path('/3/0/9'), typeOf))).toEqual([['/3/0/9', 87]]);
    expect(plain(decodeContent(ContentFormat.TEXT, Buffer.from('21.5'), path('/3303/0/5700'), typeOf))).toEqual([['/3303/0/5700', 21.5]]);
    expect(plain(decodeContent(ContentFormat.TEXT, Buffer.from('1'), path('/5/0/10'), typeOf))).toEqual([['/5/0/10', true]]);
    expect(
      Buffer.from(
        encodeContent(ContentFormat.TEXT, [{ path: path('/5/0/10'), type: 'BOOLEAN', value: false }], path('/5/0/10')),
      ).toString(),
    ).toBe('0');
    expect(plain(decodeContent(ContentFormat.OPAQUE, Uint8Array.of(9, 8), path('/5/0/0'), typeOf))).toEqual([
      ['/5/0/0', Uint8Array.of(9, 8)],
    ]);
    expect(() => decodeContent(ContentFormat.TEXT, Buffer.from('abc'), path('/3/0/9'), typeOf)).toThrow(/not a valid INTEGER/);
    expect(() => decodeContent(ContentFormat.TEXT, Buffer.from('1'), path('/3/0'), typeOf)).toThrow(/single value/);
  });
});
