import { describe, expect, it } from 'vitest';
import { aggregateValue, BucketFigures } from './ts-aggregate';

const none: BucketFigures = {
  bool_n: 0,
  str_n: 0,
  json_n: 0,
  long_n: 0,
  dbl_n: 0,
  long_sum: null,
  dbl_sum: null,
  long_min: null,
  long_max: null,
  dbl_min: null,
  dbl_max: null,
  str_min: null,
  str_max: null,
};
const longs: BucketFigures = { ...none, long_n: 2, long_sum: '3', long_min: '1', long_max: '2' };
const mixed: BucketFigures = { ...longs, dbl_n: 1, dbl_sum: 0.5, dbl_min: 0.5, dbl_max: 0.5 };
const strings: BucketFigures = { ...none, str_n: 2, str_min: 'a', str_max: 'b' };

describe('aggregateValue (ThingsBoard result types)', () => {
  it('AVG is always DOUBLE, 0.0 without numbers', () => {
    expect(aggregateValue('AVG', longs)).toEqual({ type: 'DOUBLE', value: 1.5 });
    expect(aggregateValue('AVG', strings)).toEqual({ type: 'DOUBLE', value: 0 });
  });
  it('SUM is LONG for longs only, DOUBLE once a double is in', () => {
    expect(aggregateValue('SUM', longs)).toEqual({ type: 'LONG', value: 3 });
    expect(aggregateValue('SUM', mixed)).toEqual({ type: 'DOUBLE', value: 3.5 });
    expect(aggregateValue('SUM', strings)).toEqual({ type: 'LONG', value: 0 });
  });
  it('MIN/MAX keep the type, compare mixed as doubles, fall back to strings, skip booleans', () => {
    expect(aggregateValue('MAX', longs)).toEqual({ type: 'LONG', value: 2 });
    expect(aggregateValue('MIN', mixed)).toEqual({ type: 'DOUBLE', value: 0.5 });
    expect(aggregateValue('MAX', strings)).toEqual({ type: 'STRING', value: 'b' });
    expect(aggregateValue('MIN', { ...none, bool_n: 3 })).toBeNull();
  });
  it('COUNT reports booleans, then strings, then JSON, else all numbers', () => {
    expect(aggregateValue('COUNT', { ...mixed, bool_n: 2 })).toEqual({ type: 'LONG', value: 2 });
    expect(aggregateValue('COUNT', mixed)).toEqual({ type: 'LONG', value: 3 });
  });
});
