import { describe, expect, it } from 'vitest';
import { objectMembers, objectText } from './raw-json';

describe('raw JSON members', () => {
  it('keeps every value exactly as written: DOUBLE 42.0, big integers, nested JSON, escapes', () => {
    const text = ' { "a" : 42.0, "big":12345678901234567890,"j":{"x":[1,{"y":"}"}]},"s":"q\\"uote","n":null,"t":true } ';
    expect(objectMembers(text)).toEqual([
      ['a', '42.0'],
      ['big', '12345678901234567890'],
      ['j', '{"x":[1,{"y":"}"}]}'],
      ['s', '"q\\"uote"'],
      ['n', 'null'],
      ['t', 'true'],
    ]);
    expect(objectText(objectMembers(text)!)).toBe(
      '{"a":42.0,"big":12345678901234567890,"j":{"x":[1,{"y":"}"}]},"s":"q\\"uote","n":null,"t":true}',
    );
  });

  it('is undefined for anything but a JSON object', () => {
    for (const text of ['[1]', '42', '"x"', 'not json', '']) expect(objectMembers(text)).toBeUndefined();
    expect(objectMembers('{}')).toEqual([]);
  });
});
