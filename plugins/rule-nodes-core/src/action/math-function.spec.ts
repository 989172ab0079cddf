import { createTestNode, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { mathFunctionNode, type MathArgument, type MathFunctionConfig, type MathResult } from './math-function';
import { javaDoubleText, MATH_OPERATIONS, roundHalfUp } from './math-operations';

const arg = (type: MathArgument['type'], key: string, extra: Partial<MathArgument> = {}): MathArgument => ({
  name: key,
  type,
  key,
  ...extra,
});
const result = (type: MathResult['type'], key: string, extra: Partial<MathResult> = {}): MathResult => ({
  type,
  key,
  resultValuePrecision: 2,
  addToBody: false,
  addToMetadata: false,
  ...extra,
});
const config = (operation: MathFunctionConfig['operation'], args: MathArgument[], out: MathResult): Partial<MathFunctionConfig> => ({
  operation,
  arguments: args,
  result: out,
});

describe('math function', () => {
  it('writes the result into the data, as a double with the configured precision', async () => {
    const node = await createTestNode(
      mathFunctionNode,
      config('MULT', [arg('MESSAGE_BODY', 'temperature'), arg('CONSTANT', '1.8')], result('MESSAGE_BODY', '${prefix}Scaled')),
    );
    const [emission] = await node.send(testMsg({ metadata: { prefix: 'temp' }, data: '{"temperature":25,"unit":"C"}' }));
    // 25 × 1.8 is whole, yet stays a double (45.0) as in ThingsBoard, so a later save stores a DOUBLE.
    expect(emission).toMatchObject({ kind: 'next', relation: 'Success', msg: { data: '{"temperature":25,"unit":"C","tempScaled":45.0}' } });
  });

  it('writes a whole number to metadata with precision 0, reading arguments from metadata', async () => {
    const node = await createTestNode(
      mathFunctionNode,
      config(
        'SUB',
        [arg('MESSAGE_METADATA', 'end'), arg('MESSAGE_METADATA', 'start')],
        result('MESSAGE_METADATA', 'duration', { resultValuePrecision: 0 }),
      ),
    );
    const [emission] = await node.send(testMsg({ metadata: { start: '10.2', end: '25.9' } }));
    expect(emission.msg.metadata).toMatchObject({ start: '10.2', end: '25.9', duration: '15' });
  });

  it('adds to a stored attribute and puts the new total into the data too', async () => {
    const node = await createTestNode(
      mathFunctionNode,
      config(
        'ADD',
        [arg('ATTRIBUTE', 'totalWater', { attributeScope: 'SERVER_SCOPE' }), arg('MESSAGE_BODY', 'deltaWater')],
        result('ATTRIBUTE', 'totalWater', { resultValuePrecision: 1, addToBody: true }),
      ),
    );
    await node.services.attributes.save(TEST_DEVICE, 'SERVER_SCOPE', { totalWater: 100.5 });
    const [emission] = await node.send(testMsg({ data: { deltaWater: 2.25 } }));
    expect(emission.msg.data).toBe('{"deltaWater":2.25,"totalWater":102.8}');
    expect(node.services.attributeStore.get(`DEVICE:${TEST_DEVICE.id}:SERVER_SCOPE`)?.get('totalWater')).toMatchObject({
      type: 'DOUBLE',
      value: 102.8,
    });
  });

  it('reads latest telemetry and stores the unrounded result as telemetry', async () => {
    const node = await createTestNode(
      mathFunctionNode,
      config('SQRT', [arg('TIME_SERIES', 'area')], result('TIME_SERIES', 'side', { addToMetadata: true })),
    );
    await node.services.timeseries.save(TEST_DEVICE, '{"area":2}', 1);
    const [emission] = await node.send(testMsg({ data: '{}' }));
    expect(emission.msg.metadata.side).toBe('1.41');
    const side = (await node.services.timeseries.latest(TEST_DEVICE, ['side']))[0];
    expect(side).toMatchObject({ value: Math.SQRT2 });
  });

  it('uses an argument’s default value when the value is missing, and fails without one', async () => {
    const withDefault = await createTestNode(
      mathFunctionNode,
      config('ABS', [arg('MESSAGE_BODY', 'offset', { defaultValue: -3 })], result('MESSAGE_BODY', 'abs')),
    );
    expect((await withDefault.send(testMsg({ data: '{}' })))[0].msg.data).toBe('{"abs":3.0}');

    const strict = await createTestNode(mathFunctionNode, config('ABS', [arg('ATTRIBUTE', 'offset')], result('MESSAGE_METADATA', 'abs')));
    const [failure] = await strict.send(testMsg());
    expect(failure).toMatchObject({
      kind: 'failure',
      error: expect.stringContaining('Attribute: offset with scope: SERVER_SCOPE not found for entity: DEVICE'),
    });
    expect(failure.kind === 'failure' && failure.error).toContain('give argument "offset" a default value');
  });

  it('fails values that are not numbers and results that are not finite', async () => {
    const node = await createTestNode(
      mathFunctionNode,
      config('DIV', [arg('MESSAGE_BODY', 'a'), arg('MESSAGE_BODY', 'b')], result('MESSAGE_BODY', 'q')),
    );
    const errorOf = async (data: object) => {
      const [emission] = await node.send(testMsg({ data }));
      return emission.kind === 'failure' ? emission.error : emission.msg.data;
    };
    expect(await errorOf({ a: 'ten', b: 2 })).toBe("Can't convert value 'ten' to double!");
    expect(await errorOf({ a: 1, b: 0 })).toMatch(/The result of DIV is Infinity/);
    expect(await errorOf({ a: '7', b: 2 })).toBe('{"a":"7","b":2,"q":3.5}');
  });

  it('works on messages of one originator one after another, so stored totals lose no update', async () => {
    const node = await createTestNode(
      mathFunctionNode,
      config(
        'ADD',
        [arg('ATTRIBUTE', 'count', { defaultValue: 0 }), arg('CONSTANT', '1')],
        result('ATTRIBUTE', 'count', { resultValuePrecision: 0 }),
      ),
    );
    await Promise.all(Array.from({ length: 5 }, () => node.send(testMsg())));
    expect(node.services.attributeStore.get(`DEVICE:${TEST_DEVICE.id}:SERVER_SCOPE`)?.get('count')).toMatchObject({
      type: 'LONG',
      value: 5,
    });
  });

  it('refuses CUSTOM expressions (not supported yet) and argument counts that do not fit', async () => {
    await expect(createTestNode(mathFunctionNode)).rejects.toThrow(/CUSTOM operation .* is not supported yet/);
    await expect(createTestNode(mathFunctionNode, config('ADD', [arg('CONSTANT', '1')], result('MESSAGE_BODY', 'r')))).rejects.toThrow(
      /Args count: 1 does not match operation: ADD \(it takes 2\)/,
    );
  });
});

describe('math operations', () => {
  it('follow Java: floor division and modulo of longs, exponents, rounding half up on the decimal text', () => {
    expect(MATH_OPERATIONS.FLOOR_DIV.apply([-7, 2])).toBe(-4);
    expect(MATH_OPERATIONS.FLOOR_MOD.apply([-7, 3])).toBe(2);
    expect(() => MATH_OPERATIONS.FLOOR_MOD.apply([1, 0])).toThrow(/division by zero/);
    expect(MATH_OPERATIONS.GET_EXP.apply([8])).toBe(3);
    expect(MATH_OPERATIONS.GET_EXP.apply([0])).toBe(-1023);
    expect(MATH_OPERATIONS.DEG.apply([Math.PI])).toBe(180);
    expect(roundHalfUp(1.005, 2)).toBe(1.01);
    expect(roundHalfUp(-1.005, 2)).toBe(-1.01);
    expect(roundHalfUp(2.675, 2)).toBe(2.68);
    expect(roundHalfUp(1e300, 2)).toBe(1e300);
  });

  it('print doubles as Java does', () => {
    expect(javaDoubleText(77)).toBe('77.0');
    expect(javaDoubleText(-0.5)).toBe('-0.5');
    expect(javaDoubleText(0.0001)).toBe('1.0E-4');
    expect(javaDoubleText(12345678.9)).toBe('1.23456789E7');
  });
});
