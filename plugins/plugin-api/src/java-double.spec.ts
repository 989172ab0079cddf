import { describe, expect, it } from 'vitest';
import { javaDoubleToString } from './java-double';

describe("Java's Double.toString", () => {
  it.each([
    [42, '42.0'],
    [25.5, '25.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.001, '0.001'],
    [1e-4, '1.0E-4'],
    [1234567.5, '1234567.5'],
    [9999999, '9999999.0'],
    [1e7, '1.0E7'],
    [12345678.9, '1.23456789E7'],
    [123456789.123, '1.23456789123E8'],
    [1e21, '1.0E21'],
    [-2.5e-7, '-2.5E-7'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-2.5, '-2.5'],
    [-0.5, '-0.5'],
  ])('%d → %s', (value, text) => {
    expect(javaDoubleToString(value)).toBe(text);
  });
});
