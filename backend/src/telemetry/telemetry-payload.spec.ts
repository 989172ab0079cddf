import { describe, expect, it } from 'vitest';
import { readJson } from './json-reader';
import { parseTelemetry } from './telemetry-payload';

const NOW = 1_700_000_999_000;
const parse = (text: string) => parseTelemetry(readJson(text), NOW);

describe('telemetry payload shapes (device-api.md §0.2)', () => {
  it('stamps a plain object with the receive time', () => {
    expect(parse('{"temperature":25.1,"humidity":60}')).toEqual([
      { key: 'temperature', type: 'DOUBLE', value: 25.1, ts: NOW },
      { key: 'humidity', type: 'LONG', value: 60, ts: NOW },
    ]);
  });

  it('uses ts of a {ts, values} object', () => {
    expect(parse('{"ts":1700000000000,"values":{"t":1}}')).toEqual([{ key: 't', type: 'LONG', value: 1, ts: 1700000000000 }]);
  });

  it('accepts arrays of both shapes', () => {
    const points = parse('[{"a":1},{"ts":5,"values":{"b":2.0}}]');
    expect(points).toEqual([
      { key: 'a', type: 'LONG', value: 1, ts: NOW },
      { key: 'b', type: 'DOUBLE', value: 2, ts: 5 },
    ]);
  });

  it('treats an object with only ts as an ordinary key', () => {
    expect(parse('{"ts":1}')).toEqual([{ key: 'ts', type: 'LONG', value: 1, ts: NOW }]);
  });

  it.each([
    ['42', "Can't parse value: 42"],
    ['"abc"', 'Can\'t parse value: "abc"'],
    ['[{"a":1},7]', "Can't parse value: 7"],
    ['{"ts":1,"values":5}', 'Not a JSON Object: 5'],
    ['{"ts":"soon","values":{"a":1}}', 'Invalid ts "soon"'],
  ])('refuses %s', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});
