import { describe, expect, it } from 'vitest';
import { arrayElementSources, objectFromSources, objectMemberSources } from './json-source';

describe('JSON member source text', () => {
  it('keeps each value exactly as written: number lexemes, nesting, strings with quotes and brackets', () => {
    const text = ' { "a" : 42.0 , "b":[1,{"c":"}\\"]"}] ,"\\u0064":"x\\\\", "e":null,"f":true,"g":-1.5e3,"h":{} } ';
    expect(objectMemberSources(text)).toEqual([
      ['a', '42.0'],
      ['b', '[1,{"c":"}\\"]"}]'],
      ['d', '"x\\\\"'],
      ['e', 'null'],
      ['f', 'true'],
      ['g', '-1.5e3'],
      ['h', '{}'],
    ]);
    for (const [key, source] of objectMemberSources(text)) expect(JSON.parse(source)).toEqual(JSON.parse(text)[key]);
  });

  it('lists repeated keys in document order and handles empty containers', () => {
    expect(objectMemberSources('{"k":1,"k":2}')).toEqual([
      ['k', '1'],
      ['k', '2'],
    ]);
    expect(objectMemberSources('{}')).toEqual([]);
    expect(arrayElementSources('[ ]')).toEqual([]);
  });

  it('splits arrays into element sources and rebuilds objects from member sources', () => {
    expect(arrayElementSources('[{"ts":1,"values":{"v":1.50}}, "s,]", 12345678901234567890]')).toEqual([
      '{"ts":1,"values":{"v":1.50}}',
      '"s,]"',
      '12345678901234567890',
    ]);
    expect(
      objectFromSources([
        ['a"b', '1.0'],
        ['c', '[2]'],
      ]),
    ).toBe('{"a\\"b":1.0,"c":[2]}');
  });
});
