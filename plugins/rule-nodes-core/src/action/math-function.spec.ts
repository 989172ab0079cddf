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

  it('refuses argument counts that do not fit the operation', async () => {
    await expect(createTestNode(mathFunctionNode, config('ADD', [arg('CONSTANT', '1')], result('MESSAGE_BODY', 'r')))).rejects.toThrow(
      /Args count: 1 does not match operation: ADD \(it takes 2\)/,
    );
  });
});

describe('math function, CUSTOM', () => {
  const custom = (customFunction: string, args: MathArgument[], out = result('MESSAGE_METADATA', 'r', { resultValuePrecision: 4 })) => ({
    ...config('CUSTOM', args, out),
    customFunction,
  });
  const named = (name: string, type: MathArgument['type'], key: string): MathArgument => arg(type, key, { name });
  const failureOf = async (emissions: Awaited<ReturnType<Awaited<ReturnType<typeof createTestNode>>['send']>>) => {
    const [emission] = emissions;
    return emission.kind === 'failure' ? emission.error : `not a failure: ${emission.kind}`;
  };

  it("runs ThingsBoard's default configuration: Fahrenheit from the data to Celsius with 2 decimals", async () => {
    const node = await createTestNode(mathFunctionNode);
    const [emission] = await node.send(testMsg({ data: '{"temperature":77.5}' }));
    expect(emission).toMatchObject({ kind: 'next', relation: 'Success', msg: { data: '{"temperature":77.5,"temperatureCelsius":25.28}' } });
    // A whole result stays a double, as exp4j's result does in ThingsBoard.
    expect((await node.send(testMsg({ data: { temperature: '212' } })))[0].msg.data).toBe(
      '{"temperature":"212","temperatureCelsius":100.0}',
    );
  });

  it.each([
    ['sqrt(x^2 + y^2)', '5.0'],
    ['logab(2, 8) + ln(e) + lg(100) + log2(8)', '9.0'],
    ['todegree(pi) + signum(-y) + abs(-1)', '180.0'],
    ['cot(pi / 4) + sec(0) + csch(0)', '2.0'],
    ['floor(x / y * 10) / 10 + ceil(0.2)', '1.7'],
    // Implicit multiplication, remainder with the dividend's sign (Java), unary minus below ^ (exp4j).
    ['2x + -y % 3 + -2^2', '1.0'],
    ['pow(y, 0.5) * φ', '3.2361'],
    ['exp(0) + expm1(0) + log1p(0) + cbrt(27) + sinh(0) + cosh(0) + tanh(0) + toradian(0)', '5.0'],
  ])('evaluates %s with exp4j semantics', async (expression, expected) => {
    const node = await createTestNode(
      mathFunctionNode,
      custom(expression, [named('x', 'MESSAGE_BODY', 'a'), named('y', 'MESSAGE_METADATA', 'b')]),
    );
    const [emission] = await node.send(testMsg({ data: { a: 3 }, metadata: { b: '4' } }));
    expect(emission).toMatchObject({ kind: 'next', relation: 'Success' });
    expect(emission.msg.metadata.r).toBe(expected);
  });

  it('writes to an attribute as the fixed operations do: precision 0 stores a whole LONG, also put into the metadata', async () => {
    const node = await createTestNode(
      mathFunctionNode,
      custom(
        'total + delta * 1.5',
        [named('total', 'ATTRIBUTE', 'waterTotal'), named('delta', 'MESSAGE_BODY', 'delta')],
        result('ATTRIBUTE', 'waterTotal', { resultValuePrecision: 0, addToMetadata: true }),
      ),
    );
    await node.services.attributes.save(TEST_DEVICE, 'SERVER_SCOPE', { waterTotal: 10 });
    const [emission] = await node.send(testMsg({ data: { delta: 3 } }));
    expect(emission.msg.metadata.waterTotal).toBe('14');
    expect(node.services.attributeStore.get(`DEVICE:${TEST_DEVICE.id}:SERVER_SCOPE`)?.get('waterTotal')).toMatchObject({
      type: 'LONG',
      value: 14,
    });
  });

  it('fails the message on a division by zero, even one JavaScript would turn into a number, and on NaN', async () => {
    const args = [named('x', 'MESSAGE_BODY', 'x'), named('y', 'MESSAGE_BODY', 'y')];
    const failure = async (expression: string, data: object) =>
      failureOf(await (await createTestNode(mathFunctionNode, custom(expression, args))).send(testMsg({ data })));

    expect(await failure('(x - 32) / y', { x: 50, y: 0 })).toMatch(/^Division by zero! .*check the arguments' values/);
    // Plain doubles give 1 / Infinity = 0 here; exp4j (and so ThingsBoard) fails.
    expect(await failure('1 / (1 / y)', { x: 1, y: 0 })).toMatch(/^Division by zero!/);
    expect(await failure('x % y', { x: 5, y: 0 })).toMatch(/^Division by zero!/);
    expect(await failure('cot(y)', { x: 1, y: 0 })).toMatch(/^Division by zero in cotangent!/);
    expect(await failure('sqrt(x)', { x: -1, y: 0 })).toMatch(
      /^The result of the custom function "sqrt\(x\)" is NaN .*check the arguments' values/,
    );
  });

  it.each([
    ['x = 5', /uses assignments \(x = …\), which is not allowed/],
    ['f(x) = x', /uses function definitions/],
    ['import({}, {})', /uses the function "import" \(not one of exp4j's functions\)/],
    ['evaluate("x + 1")', /uses the function "evaluate"/],
    ['parse("x")', /uses the function "parse"/],
    ['x + q', /uses the unknown variable "q" \(the arguments are: x; write a product of two as x \* y\)/],
    ['xx + 1', /uses the unknown variable "xx"/],
    ['max(x, 1)', /uses the function "max"/],
    ['[x, 1]', /uses matrices/],
    ['"abc"', /uses string values such as "abc"/],
    ['x.constructor', /uses property access or indexing/],
    ['x > 1 ? 1 : 0', /uses conditions/],
    ['x == 1', /uses the operator "=="/],
    ['x!', /uses the operator "!"/],
    ['x mod 2', /uses the operator "mod"/],
    ['50%', /uses a percentage \(write \/ 100 instead; % is the remainder/],
    ['sin(x, 2)', /uses calling sin with 2 argument\(s\) \(it takes 1\)/],
    ['x; 1', /uses several statements/],
  ])('refuses %s when the node starts, naming what is not allowed', async (expression, problem) => {
    const start = createTestNode(mathFunctionNode, custom(expression, [named('x', 'MESSAGE_BODY', 'x')]));
    await expect(start).rejects.toThrow(problem);
    await expect(start).rejects.toThrow(
      /Use numbers, the argument names, pi, π, e, φ, \+ - \* \/ % \^, parentheses and the functions sin, cos/,
    );
  });

  it('refuses blank, too long or broken expressions and argument names an expression cannot use', async () => {
    const start = (expression: string, args: MathArgument[] = [named('x', 'MESSAGE_BODY', 'x')]) =>
      createTestNode(mathFunctionNode, custom(expression, args));
    await expect(start('  ')).rejects.toThrow('Custom function is blank! Enter an expression of the arguments, e.g. (x - 32) / 1.8');
    await expect(start(`x${' + x'.repeat(100)}`)).rejects.toThrow(/Custom function is too complex \(length 401 > 256\)/);
    await expect(start('(x - ')).rejects.toThrow(/Custom function "\(x - " is not a valid expression: .*Correct the expression/);
    await expect(start('sin + 1', [named('sin', 'MESSAGE_BODY', 'x')])).rejects.toThrow(
      /Argument name "sin" is a function or operator name/,
    );
    await expect(start('x', [named('x', 'MESSAGE_BODY', 'a'), named('x', 'MESSAGE_BODY', 'b')])).rejects.toThrow(
      /Argument name "x" is used twice/,
    );
    await expect(start('x', [named('temp-1', 'MESSAGE_BODY', 'a')])).rejects.toThrow(/Argument 1 needs a name made of letters/);
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
