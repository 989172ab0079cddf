/**
 * The fixed operations of ThingsBoard's "math function" node (TbRuleNodeMathFunctionType) with Java's
 * semantics, and how Java turns its double results into text.
 */

export interface MathOperation {
  minArgs: number;
  maxArgs: number;
  /** GET_EXP, CEIL and FLOOR always give whole numbers (stored as LONG whatever the precision). */
  integerResult: boolean;
  apply(args: readonly number[]): number;
}

const unary = (fn: (x: number) => number, integerResult = false): MathOperation => ({
  minArgs: 1,
  maxArgs: 1,
  integerResult,
  apply: ([x]) => fn(x),
});

const binary = (fn: (x: number, y: number) => number): MathOperation => ({
  minArgs: 2,
  maxArgs: 2,
  integerResult: false,
  apply: ([x, y]) => fn(x, y),
});

/** Java's (long) cast: toward zero, NaN to 0, saturating at the long range (enough for whole doubles). */
function toLong(x: number): number {
  return Number.isNaN(x) ? 0 : Math.trunc(x);
}

/** Math.floorDiv / floorMod on the operands' long values; like Java, dividing by zero is an error. */
function floorDivision(kind: 'FLOOR_DIV' | 'FLOOR_MOD') {
  return (x: number, y: number) => {
    const [a, b] = [toLong(x), toLong(y)];
    if (b === 0) throw new Error(`${kind}: division by zero (the second argument is 0)`);
    const quotient = Math.floor(a / b);
    return kind === 'FLOOR_DIV' ? quotient : a - quotient * b;
  };
}

/** Java's Math.getExponent: the unbiased binary exponent (-1023 for zero and subnormals, 1024 for NaN and infinities). */
function getExponent(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return ((view.getUint16(0) >> 4) & 0x7ff) - 1023;
}

export const MATH_OPERATIONS = {
  ADD: binary((x, y) => x + y),
  SUB: binary((x, y) => x - y),
  MULT: binary((x, y) => x * y),
  DIV: binary((x, y) => x / y),
  SIN: unary(Math.sin),
  SINH: unary(Math.sinh),
  COS: unary(Math.cos),
  COSH: unary(Math.cosh),
  TAN: unary(Math.tan),
  TANH: unary(Math.tanh),
  ACOS: unary(Math.acos),
  ASIN: unary(Math.asin),
  ATAN: unary(Math.atan),
  ATAN2: binary(Math.atan2),
  EXP: unary(Math.exp),
  EXPM1: unary(Math.expm1),
  SQRT: unary(Math.sqrt),
  CBRT: unary(Math.cbrt),
  GET_EXP: unary(getExponent, true),
  HYPOT: binary(Math.hypot),
  LOG: unary(Math.log),
  LOG10: unary(Math.log10),
  LOG1P: unary(Math.log1p),
  CEIL: unary(Math.ceil, true),
  FLOOR: unary(Math.floor, true),
  FLOOR_DIV: binary(floorDivision('FLOOR_DIV')),
  FLOOR_MOD: binary(floorDivision('FLOOR_MOD')),
  ABS: unary(Math.abs),
  MIN: binary(Math.min),
  MAX: binary(Math.max),
  POW: binary(Math.pow),
  SIGNUM: unary(Math.sign),
  RAD: unary((x) => x * (Math.PI / 180)),
  DEG: unary((x) => x * (180 / Math.PI)),
} satisfies Record<string, MathOperation>;

export type FixedMathOperation = keyof typeof MATH_OPERATIONS;

/** ThingsBoard's operation names: the fixed ones and CUSTOM (an expression of the arguments). */
export const MATH_OPERATION_NAMES = [...(Object.keys(MATH_OPERATIONS) as FixedMathOperation[]), 'CUSTOM'] as const;

/**
 * BigDecimal.valueOf(x).setScale(precision, HALF_UP): rounds the shortest decimal text of `x` (what Java
 * prints), not its binary value, so 1.005 rounds to 1.01 as it does in ThingsBoard.
 */
export function roundHalfUp(x: number, precision: number): number {
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e');
  const scaled = Math.round(Number(`${mantissa}e${Number(exponent) + precision}`));
  // Beyond 2^53 a double has no digits left at this precision: nothing to round.
  if (!Number.isSafeInteger(scaled)) return x;
  return Math.sign(x) * Number(`${scaled}e-${precision}`);
}

/** Java's Double.toString: always a fraction or an exponent (77.0, 1.0E-4, 1.2E7), so the value stays a DOUBLE. */
export function javaDoubleText(x: number): string {
  const magnitude = Math.abs(x);
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    const text = String(x);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = x.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}
