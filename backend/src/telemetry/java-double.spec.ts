import { describe, expect, it } from 'vitest';
import { javaDoubleToString } from './java-double';

describe("Java's Double.toString", () => {
  it.each([
    [42, '42.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.001, '0.001'],
    [1e-4, '1.0E-4'],
    [1e7, '1.0E7'],
    [9999999, '9999999.0'],
    [123456789.123, '1.23456789123E8'],
    [1e21, '1.0E21'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-2.5, '-2.5'],
  ])('%d → %s', (v, text) => {
    expect(javaDoubleToString(v)).toBe(text);
  });
});
