import { parse, stringify } from 'lossless-json';
import { readJson, writeJson } from './json-reader';
import { toKvEntries } from './kv-typing';

/** What the slow, always-exact path (lossless-json) makes of the text. */
const exact = (text: string) => ({ written: stringify(parse(text)), typed: toKvEntries(parse(text) as Record<string, unknown>) });

describe('readJson: the JSON.parse fast path loses nothing typing or writing back needs', () => {
  const literals = [
    '0',
    '-0',
    '7',
    '-42',
    '123456789012345',
    '1234567890123456',
    '9007199254740993',
    '21.5',
    '-0.25',
    '42.0',
    '1.50',
    '0.05',
    '0.000001',
    '0.0000001',
    '1e3',
    '2E-2',
    '3.14159265358979',
    '0.12345678901234567',
    '100.125',
    '10.10',
  ];
  it.each(literals)('%s as a value and nested in a JSON value', (literal) => {
    const text = `{"v":${literal},"j":{"n":[${literal}]},"s":"${literal}.0"}`;
    expect({ written: writeJson(readJson(text)), typed: toKvEntries(readJson(text) as Record<string, unknown>) }).toEqual(exact(text));
  });

  it('agrees with the exact path on random telemetry', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const value = (random() * 10 ** Math.floor(random() * 8) * (random() < 0.5 ? -1 : 1)).toFixed(Math.floor(random() * 8));
      const text = `{"a":${value},"b":{"c":${value}}}`;
      expect({ written: writeJson(readJson(text)), typed: toKvEntries(readJson(text) as Record<string, unknown>) }).toEqual(exact(text));
    }
  });
});

describe('readJson: refuses nesting deeper than what typing and writing back can walk', () => {
  it.each(['[', '{"a":'])('%s… 100,000 levels deep', (open) => {
    const close = open === '[' ? ']' : '}';
    expect(() => readJson(open.repeat(100_000) + '1' + close.repeat(100_000))).toThrow(/nested deeper than 1000 levels/);
    expect(() => readJson(open.repeat(100_000) + '1.0' + close.repeat(100_000))).toThrow(/nested deeper than 1000 levels/);
  });

  it('reads 1000 levels', () => {
    expect(writeJson(readJson('['.repeat(1000) + '1.0' + ']'.repeat(1000)))).toBe('['.repeat(1000) + '1.0' + ']'.repeat(1000));
  });
});

it('readJson looks at the whole text for nesting, also after a number that needs its source text', () => {
  expect(() => readJson(`{"a":1.0,"b":${'['.repeat(5000)}${']'.repeat(5000)}}`)).toThrow(/nested deeper/);
});
