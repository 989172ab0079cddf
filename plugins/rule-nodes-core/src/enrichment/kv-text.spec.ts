import { describe, expect, it } from 'vitest';
import { kvJson, kvText, kvWithTsText } from './kv-text';

describe('values as ThingsBoard writes them into metadata', () => {
  it('keeps longs, booleans, strings and JSON as they are', () => {
    expect(kvText({ key: 'n', type: 'LONG', value: 25, ts: 1 })).toBe('25');
    expect(kvText({ key: 'n', type: 'LONG', value: 9007199254740993n, ts: 1 })).toBe('9007199254740993');
    expect(kvText({ key: 'd', type: 'DOUBLE', value: 25, ts: 1 })).toBe('25.0');
    expect(kvText({ key: 'b', type: 'BOOLEAN', value: false, ts: 1 })).toBe('false');
    expect(kvText({ key: 's', type: 'STRING', value: 'on', ts: 1 })).toBe('on');
    expect(kvText({ key: 'j', type: 'JSON', value: '{"a":1}', ts: 1 })).toBe('{"a":1}');
  });

  it('gives typed JSON values for message data', () => {
    expect(kvJson({ key: 'j', type: 'JSON', value: '{"a":[1,2]}', ts: 1 })).toEqual({ a: [1, 2] });
    expect(kvJson({ key: 'b', type: 'BOOLEAN', value: true, ts: 1 })).toBe(true);
    expect(kvJson({ key: 'n', type: 'LONG', value: 42n, ts: 1 })).toBe(42);
  });

  it('writes a value with its timestamp', () => {
    expect(kvWithTsText({ key: 't', type: 'DOUBLE', value: 21, ts: 1700000000000 })).toBe('{"ts":1700000000000,"value":21.0}');
    expect(kvWithTsText({ key: 's', type: 'STRING', value: 'on', ts: 5 })).toBe('{"ts":5,"value":"on"}');
  });
});
