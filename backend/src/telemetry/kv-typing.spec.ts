import { describe, expect, it } from 'vitest';
import { readJson } from './json-reader';
import { KvTypingOptions, toKvEntries } from './kv-typing';

/** Types a one-member payload `{"k": <json>}` and returns [type, value]. */
function typed(json: string, options?: KvTypingOptions) {
  const [entry] = toKvEntries(readJson(`{"k":${json}}`) as Record<string, unknown>, options);
  return entry && [entry.type, entry.value];
}

describe('key/value typing (device-api.md §0.1)', () => {
  it.each([
    ['42', 'LONG', 42],
    ['-5', 'LONG', -5],
    ['-0', 'LONG', 0],
    ['1e3', 'LONG', 1000],
    ['1E2', 'LONG', 100],
    ['1.5e1', 'LONG', 15],
    ['10.0E0', 'LONG', 10],
    ['9223372036854775807', 'LONG', 9223372036854775807n],
    ['42.0', 'DOUBLE', 42],
    ['1.50', 'DOUBLE', 1.5],
    ['1e-3', 'DOUBLE', 0.001],
    ['1.5e-10', 'DOUBLE', 1.5e-10],
    ['0.1234567890123456', 'DOUBLE', 0.1234567890123456],
    ['0.30000000000000004', 'STRING', '0.30000000000000004'],
    ['12345678901234567890', 'STRING', '12345678901234567890'],
    ['1e-20', 'STRING', '0.00000000000000000001'],
    ['true', 'BOOLEAN', true],
    ['"x"', 'STRING', 'x'],
    ['"25"', 'LONG', 25],
    ['"07"', 'LONG', 7],
    ['"2.5"', 'DOUBLE', 2.5],
    ['".5"', 'DOUBLE', 0.5],
    ['"5."', 'STRING', '5.'],
    ['"1e3"', 'STRING', '1e3'],
    ['"+5"', 'STRING', '+5'],
    ['"0x1A"', 'STRING', '0x1A'],
    ['"12345678901234567890"', 'STRING', '12345678901234567890'],
    ['{"a":1.50,"b":[1,"x",null]}', 'JSON', '{"a":1.50,"b":[1,"x",null]}'],
    ['[]', 'JSON', '[]'],
  ])('%s → %s', (json, type, value) => {
    expect(typed(json)).toEqual([type, value]);
  });

  it('-0.0 stays a negative-zero DOUBLE', () => {
    const [type, value] = typed('-0.0')!;
    expect(type).toBe('DOUBLE');
    expect(Object.is(value, -0)).toBe(true);
  });

  it('keeps 1E400 as its plain decimal STRING', () => {
    expect(typed('1E400')).toEqual(['STRING', `1${'0'.repeat(400)}`]);
  });

  it('without type cast leaves numeric strings alone and refuses integers beyond int64', () => {
    expect(typed('"25"', { typeCast: false })).toEqual(['STRING', '25']);
    expect(() => typed('12345678901234567890', { typeCast: false })).toThrow('Big integer values are not supported!');
  });

  it('refuses null on the REST path and drops it on device paths', () => {
    expect(() => typed('null')).toThrow("Can't parse value: null");
    expect(typed('null', { nulls: 'drop' })).toBeUndefined();
  });

  it('enforces the string length limit and key rules', () => {
    expect(() => typed('"abcdef"', { maxStringLength: 5 })).toThrow(
      'String value length [6] for key [k] is greater than maximum allowed [5]',
    );
    expect(() => toKvEntries({ ' ': 1 })).toThrow("Key can't be null or empty");
    expect(() => toKvEntries({ ['x'.repeat(256)]: 1 })).toThrow('key length must be equal or less than 255');
  });

  it('refuses absurd exponents instead of expanding them', () => {
    expect(() => typed('1e999999999')).toThrow('out of range');
  });
});
