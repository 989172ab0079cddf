import { randomUUID } from 'node:crypto';
import type { AttributeScope, KvRecord, RuleMsg, RuleNodeContext, RuleNodeDescriptor } from '@edgewise/plugin-api';
import {
  create,
  isConstantNode,
  isFunctionNode,
  isOperatorNode,
  isParenthesisNode,
  isSymbolNode,
  parseDependencies,
  type MathNode,
} from 'mathjs';
import { mutableCopy } from '../transformation/msg-data';
import { fillTemplate } from '../transformation/templates';
import { ATTRIBUTE_SCOPES } from './attribute-scopes';
import { requireDataObject } from './message-values';
import {
  javaDoubleText,
  MATH_OPERATION_NAMES,
  MATH_OPERATIONS,
  roundHalfUp,
  type FixedMathOperation,
  type MathOperation,
} from './math-operations';

export type MathValueSource = 'ATTRIBUTE' | 'TIME_SERIES' | 'MESSAGE_BODY' | 'MESSAGE_METADATA' | 'CONSTANT';

export interface MathArgument {
  /** The argument's name in a CUSTOM expression (x, y, …). */
  name: string;
  type: MathValueSource;
  /** Key to read (templates allowed), or the number itself for CONSTANT. */
  key: string;
  /** ATTRIBUTE: the scope (default SERVER_SCOPE). */
  attributeScope?: AttributeScope | null;
  /** Used when the value is missing; without it a missing value fails the message. */
  defaultValue?: number | null;
}

export interface MathResult {
  type: Exclude<MathValueSource, 'CONSTANT'>;
  /** Key to write (templates allowed). */
  key: string;
  /** Decimal places; 0 writes a whole number. */
  resultValuePrecision: number;
  /** ATTRIBUTE / TIME_SERIES: also put the result into the data / metadata. */
  addToBody: boolean;
  addToMetadata: boolean;
  attributeScope?: AttributeScope | null;
}

export interface MathFunctionConfig {
  operation: FixedMathOperation | 'CUSTOM';
  arguments: MathArgument[];
  /** CUSTOM: an expression of the argument names, e.g. `(x - 32) / 1.8`. */
  customFunction: string | null;
  result: MathResult;
}

const VALUE_SOURCES: readonly MathValueSource[] = ['ATTRIBUTE', 'TIME_SERIES', 'MESSAGE_BODY', 'MESSAGE_METADATA', 'CONSTANT'];
const scopeSchema = { type: ['string', 'null'], enum: [...ATTRIBUTE_SCOPES, null], title: 'Attribute scope' };

/**
 * Messages of one originator are worked on one after another, across all math nodes of this process, as in
 * ThingsBoard: "add the delta to the stored total" must not lose an update to a concurrent message.
 */
const originatorQueues = new Map<string, Promise<void>>();

function inOriginatorOrder(msg: RuleMsg, work: () => Promise<void>): Promise<void> {
  const key = `${msg.originator.entityType}:${msg.originator.id}`;
  const current = (originatorQueues.get(key) ?? Promise.resolve()).then(work);
  // A failed message must not hold up the next one.
  const settled = current.catch(() => undefined);
  originatorQueues.set(key, settled);
  void settled.then(() => {
    if (originatorQueues.get(key) === settled) originatorQueues.delete(key);
  });
  return current;
}

/** Java's Double.parseDouble, close enough: surrounding blanks allowed, an empty text is not a number. */
function parseDouble(text: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || (Number.isNaN(value) && trimmed !== 'NaN')) throw new Error(`Can't convert value '${text}' to double!`);
  return value;
}

function storedNumber(record: KvRecord): number {
  if (record.type === 'LONG' || record.type === 'DOUBLE') return Number(record.value);
  return parseDouble(String(record.value));
}

async function argumentValue(
  ctx: RuleNodeContext,
  msg: RuleMsg,
  body: Readonly<Record<string, unknown>> | undefined,
  arg: MathArgument,
): Promise<number> {
  const orDefault = (problem: string): number => {
    if (typeof arg.defaultValue === 'number') return arg.defaultValue;
    throw new Error(`${problem} (give argument "${arg.name}" a default value to use instead)`);
  };
  if (arg.type === 'CONSTANT') return parseDouble(arg.key);
  const key = fillTemplate(arg.key, msg);
  switch (arg.type) {
    case 'MESSAGE_BODY': {
      const value = body![key];
      if (value === undefined || !Object.hasOwn(body!, key)) return orDefault(`Message body has no '${key}'!`);
      if (value === null) return orDefault(`Message body has null '${key}'!`);
      if (typeof value === 'number') return value;
      if (typeof value !== 'string') throw new Error(`Can't convert value '${JSON.stringify(value)}' to double!`);
      return value.trim() === '' ? orDefault(`Message value is empty for '${key}'!`) : parseDouble(value);
    }
    case 'MESSAGE_METADATA': {
      const value = Object.hasOwn(msg.metadata, key) ? msg.metadata[key] : '';
      return value === '' ? orDefault(`Message metadata has no '${key}'!`) : parseDouble(value);
    }
    case 'ATTRIBUTE': {
      const scope = arg.attributeScope || 'SERVER_SCOPE';
      const [record] = await ctx.services.attributes.find(msg.originator, scope, [key]);
      if (record) return storedNumber(record);
      return orDefault(`Attribute: ${key} with scope: ${scope} not found for entity: ${msg.originator.entityType} ${msg.originator.id}`);
    }
    case 'TIME_SERIES': {
      const [record] = await ctx.services.timeseries.latest(msg.originator, [key]);
      if (record) return storedNumber(record);
      return orDefault(`Time-series: ${key} not found for entity: ${msg.originator.entityType} ${msg.originator.id}`);
    }
    default:
      throw new Error(`Unsupported argument type: ${String(arg.type)}! Use one of ${VALUE_SOURCES.join(', ')}`);
  }
}

/**
 * The data as JSON text with `key` set to a number written exactly as `numberText`. JSON.stringify would
 * print the double 77.0 as 77, which the next save node would store as a LONG where ThingsBoard stores a
 * DOUBLE; a unique placeholder string is swapped for the number's text instead.
 */
function dataWithNumber(body: Readonly<Record<string, unknown>>, key: string, numberText: string): string {
  const copy = mutableCopy(body);
  const placeholder = `\u0000${randomUUID()}`;
  copy[key] = placeholder;
  return JSON.stringify(copy).replace(JSON.stringify(placeholder), numberText);
}

/*
 * CUSTOM: ThingsBoard evaluates `customFunction` with exp4j, the arguments bound by their names. The
 * expression is parsed by mathjs and accepted only if it stays inside what exp4j offers: numbers, the
 * argument names, exp4j's constants, + - * / % ^ (also implicit multiplication, `2x`), parentheses and the
 * functions below. Everything else mathjs could do (assignments, function definitions, strings, matrices,
 * units, import/evaluate/parse, …) is refused when the node starts.
 */

interface ExpressionFunction {
  arity: number;
  apply: (...args: number[]) => number;
}

/** exp4j fails a division by zero (also `%`, cot, csc and sec) where plain doubles would give Infinity or NaN. */
function nonZeroDivisor(divisor: number, where = ''): number {
  if (divisor === 0) throw new Error(`Division by zero${where}! The custom function divided by 0: check the arguments' values`);
  return divisor;
}

const fromOperation = (operation: MathOperation): ExpressionFunction => ({
  arity: operation.minArgs,
  apply: (...args) => operation.apply(args),
});
const unaryFunction = (apply: (x: number) => number): ExpressionFunction => ({ arity: 1, apply });

/** exp4j's built-in functions plus ThingsBoard's ln, lg and logab, with Java's results. */
const EXPRESSION_FUNCTIONS: Readonly<Record<string, ExpressionFunction>> = {
  sin: fromOperation(MATH_OPERATIONS.SIN),
  cos: fromOperation(MATH_OPERATIONS.COS),
  tan: fromOperation(MATH_OPERATIONS.TAN),
  cot: unaryFunction((x) => 1 / nonZeroDivisor(Math.tan(x), ' in cotangent')),
  csc: unaryFunction((x) => 1 / nonZeroDivisor(Math.sin(x), ' in cosecant')),
  sec: unaryFunction((x) => 1 / nonZeroDivisor(Math.cos(x), ' in secant')),
  asin: fromOperation(MATH_OPERATIONS.ASIN),
  acos: fromOperation(MATH_OPERATIONS.ACOS),
  atan: fromOperation(MATH_OPERATIONS.ATAN),
  sinh: fromOperation(MATH_OPERATIONS.SINH),
  cosh: fromOperation(MATH_OPERATIONS.COSH),
  tanh: fromOperation(MATH_OPERATIONS.TANH),
  // exp4j defines csch(0) as 0.
  csch: unaryFunction((x) => (x === 0 ? 0 : 1 / Math.sinh(x))),
  sech: unaryFunction((x) => 1 / Math.cosh(x)),
  coth: unaryFunction((x) => Math.cosh(x) / Math.sinh(x)),
  abs: fromOperation(MATH_OPERATIONS.ABS),
  sqrt: fromOperation(MATH_OPERATIONS.SQRT),
  cbrt: fromOperation(MATH_OPERATIONS.CBRT),
  ceil: fromOperation(MATH_OPERATIONS.CEIL),
  floor: fromOperation(MATH_OPERATIONS.FLOOR),
  exp: fromOperation(MATH_OPERATIONS.EXP),
  expm1: fromOperation(MATH_OPERATIONS.EXPM1),
  pow: fromOperation(MATH_OPERATIONS.POW),
  log: fromOperation(MATH_OPERATIONS.LOG),
  ln: fromOperation(MATH_OPERATIONS.LOG),
  lg: fromOperation(MATH_OPERATIONS.LOG10),
  log10: fromOperation(MATH_OPERATIONS.LOG10),
  log1p: fromOperation(MATH_OPERATIONS.LOG1P),
  log2: unaryFunction((x) => Math.log(x) / Math.log(2)),
  logab: { arity: 2, apply: (base, x) => Math.log(x) / Math.log(base) },
  // exp4j's signum: 0 for ±0 and NaN.
  signum: unaryFunction((x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  toradian: fromOperation(MATH_OPERATIONS.RAD),
  todegree: fromOperation(MATH_OPERATIONS.DEG),
};

/** exp4j's operators by the name mathjs gives them, with the symbol that must have been written. */
const EXPRESSION_OPERATORS: Readonly<Record<string, { symbol: string; apply: (...args: number[]) => number }>> = {
  add: { symbol: '+', apply: (x, y) => x + y },
  subtract: { symbol: '-', apply: (x, y) => x - y },
  multiply: { symbol: '*', apply: (x, y) => x * y },
  divide: { symbol: '/', apply: (x, y) => x / nonZeroDivisor(y) },
  // Java's % on doubles, like JavaScript's: the sign follows the dividend.
  mod: { symbol: '%', apply: (x, y) => x % nonZeroDivisor(y) },
  pow: { symbol: '^', apply: Math.pow },
  unaryMinus: { symbol: '-', apply: (x) => -x },
  unaryPlus: { symbol: '+', apply: (x) => x },
};

/** exp4j's constants; an argument of the same name wins, as in exp4j. */
const EXPRESSION_CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, π: Math.PI, e: Math.E, φ: 1.61803398874 };

/** Node kinds mathjs parses that exp4j has no counterpart for, as a user would call them. */
const REFUSED_NODE_KINDS: Readonly<Record<string, string>> = {
  AssignmentNode: 'assignments (x = …)',
  FunctionAssignmentNode: 'function definitions (f(x) = …)',
  BlockNode: 'several statements (; or line breaks)',
  ArrayNode: 'matrices ([…])',
  ObjectNode: 'objects ({…})',
  AccessorNode: 'property access or indexing (a.b, a[1])',
  IndexNode: 'property access or indexing (a.b, a[1])',
  ConditionalNode: 'conditions (a ? b : c)',
  RangeNode: 'ranges (a:b)',
  RelationalNode: 'comparisons',
};

/** Words mathjs reads as operators, so they cannot name an argument. */
const MATHJS_WORD_OPERATORS = new Set(['mod', 'to', 'in', 'and', 'or', 'xor', 'not']);

const ALLOWED_SYNTAX = `Use numbers, the argument names, ${Object.keys(EXPRESSION_CONSTANTS).join(', ')}, + - * / % ^, parentheses and the functions ${Object.keys(EXPRESSION_FUNCTIONS).join(', ')}`;

/**
 * A mathjs instance that holds only the parser and, under the names its operators and functions are looked
 * up by, the exp4j implementations above; functions that would let an expression reach further are
 * disabled, as the mathjs security guide recommends (the checked syntax tree cannot name them anyway).
 */
const expressionMath = create({ parseDependencies }, { number: 'number' });
const parseExpression = expressionMath.parse;
expressionMath.import(
  {
    ...Object.fromEntries(Object.entries(EXPRESSION_FUNCTIONS).map(([name, fn]) => [name, fn.apply])),
    ...Object.fromEntries(Object.entries(EXPRESSION_OPERATORS).map(([name, operator]) => [name, operator.apply])),
  },
  { override: true },
);
expressionMath.import(
  Object.fromEntries(
    ['import', 'createUnit', 'evaluate', 'parse', 'compile', 'simplify', 'derivative', 'resolve'].map((name) => [
      name,
      () => {
        throw new Error(`${name} is disabled in custom functions`);
      },
    ]),
  ),
  { override: true },
);

/** Checks that `node` only uses what exp4j offers; throws naming the first thing that is not allowed. */
function checkExpressionNode(node: MathNode, argumentNames: ReadonlySet<string>, refuse: (problem: string) => Error): void {
  if (isConstantNode(node)) {
    if (typeof node.value !== 'number')
      throw refuse(`${node.value === null ? 'null' : typeof node.value} values such as ${node.toString()}`);
  } else if (isSymbolNode(node)) {
    if (!argumentNames.has(node.name) && !Object.hasOwn(EXPRESSION_CONSTANTS, node.name)) {
      const names = argumentNames.size > 0 ? [...argumentNames].join(', ') : 'none';
      throw refuse(`the unknown variable "${node.name}" (the arguments are: ${names}; write a product of two as x * y)`);
    }
  } else if (isParenthesisNode(node)) {
    checkExpressionNode(node.content, argumentNames, refuse);
  } else if (isOperatorNode(node)) {
    const operator = Object.hasOwn(EXPRESSION_OPERATORS, node.fn) ? EXPRESSION_OPERATORS[node.fn] : undefined;
    if (!operator || operator.symbol !== String(node.op)) throw refuse(`the operator "${node.op}"`);
    // mathjs reads `50%` as a percentage; exp4j only knows % as the remainder.
    if ((node as { isPercentage?: boolean }).isPercentage)
      throw refuse('a percentage (write / 100 instead; % is the remainder, as in x % 3)');
    for (const arg of node.args) checkExpressionNode(arg, argumentNames, refuse);
  } else if (isFunctionNode(node)) {
    if (!isSymbolNode(node.fn)) throw refuse(`calling the result of an expression (${node.toString()})`);
    const name = node.fn.name;
    const fn = Object.hasOwn(EXPRESSION_FUNCTIONS, name) ? EXPRESSION_FUNCTIONS[name] : undefined;
    if (!fn) throw refuse(`the function "${name}" (not one of exp4j's functions)`);
    if (node.args.length !== fn.arity) {
      throw refuse(`calling ${name} with ${node.args.length} argument(s) (it takes ${fn.arity})`);
    }
    for (const arg of node.args) checkExpressionNode(arg, argumentNames, refuse);
  } else {
    throw refuse(REFUSED_NODE_KINDS[node.type] ?? `${node.type} expressions`);
  }
}

/** Compiles a CUSTOM expression once, refusing anything exp4j would not evaluate; the result applies to the argument values in order. */
function compileCustomFunction(expression: string | null | undefined, args: readonly MathArgument[]): MathOperation {
  if (!expression?.trim()) throw new Error('Custom function is blank! Enter an expression of the arguments, e.g. (x - 32) / 1.8');
  if (expression.length > 256)
    throw new Error(`Custom function is too complex (length ${expression.length} > 256)! Shorten it to 256 characters`);
  const names = args.map((arg) => arg.name);
  for (const [index, name] of names.entries()) {
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`Argument ${index + 1} needs a name made of letters, digits and _ (such as x) to be used in the custom function`);
    }
    if (Object.hasOwn(EXPRESSION_FUNCTIONS, name) || MATHJS_WORD_OPERATORS.has(name)) {
      throw new Error(`Argument name "${name}" is a function or operator name: rename the argument (e.g. x, y, z)`);
    }
    if (names.indexOf(name) !== index) throw new Error(`Argument name "${name}" is used twice: give every argument its own name`);
  }

  let tree: MathNode;
  try {
    tree = parseExpression(expression);
  } catch (error) {
    throw new Error(`Custom function "${expression}" is not a valid expression: ${(error as Error).message}. Correct the expression`);
  }
  checkExpressionNode(
    tree,
    new Set(names),
    (problem) => new Error(`Custom function "${expression}" uses ${problem}, which is not allowed. ${ALLOWED_SYNTAX}`),
  );
  const compiled = tree.compile();
  return {
    minArgs: 0,
    maxArgs: 16,
    integerResult: false,
    apply: (values) =>
      compiled.evaluate(
        new Map([...Object.entries(EXPRESSION_CONSTANTS), ...names.map((name, i) => [name, values[i]] as const)]),
      ) as number,
  };
}

/**
 * "math function": computes ADD, SUB, SIN, … or a CUSTOM expression such as `(x - 32) / 1.8` (ThingsBoard's
 * default) of arguments taken from the data, metadata, attributes, latest telemetry or constants, and writes
 * the result to the data, metadata, an attribute or telemetry.
 */
export const mathFunctionNode: RuleNodeDescriptor<MathFunctionConfig> = {
  type: 'core/math-function',
  category: 'action',
  name: 'math function',
  description:
    'Applies a math function to values from the message, attributes or latest telemetry and saves the result to the message and/or the database.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      operation: { type: 'string', enum: MATH_OPERATION_NAMES, title: 'Operation' },
      arguments: {
        type: 'array',
        title: 'Arguments',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string', title: 'Name' },
            type: { type: 'string', enum: VALUE_SOURCES, title: 'Source' },
            key: { type: 'string', title: 'Key (templates allowed) or constant value' },
            attributeScope: scopeSchema,
            defaultValue: { type: ['number', 'null'], title: 'Default value' },
          },
          required: ['type', 'key'],
        },
      },
      customFunction: { type: ['string', 'null'], maxLength: 256, title: 'Custom function (CUSTOM operation)' },
      result: {
        type: 'object',
        title: 'Result',
        properties: {
          type: { type: 'string', enum: VALUE_SOURCES.filter((source) => source !== 'CONSTANT'), title: 'Write to' },
          key: { type: 'string', minLength: 1, title: 'Key (templates allowed)' },
          resultValuePrecision: { type: 'integer', minimum: 0, maximum: 15, title: 'Decimal places (0: whole number)' },
          addToBody: { type: 'boolean', title: 'Also add to the message data' },
          addToMetadata: { type: 'boolean', title: 'Also add to the message metadata' },
          attributeScope: scopeSchema,
        },
        required: ['type', 'key', 'resultValuePrecision'],
      },
    },
    required: ['operation', 'arguments', 'result'],
  },
  defaultConfig: {
    operation: 'CUSTOM',
    customFunction: '(x - 32) / 1.8',
    arguments: [{ name: 'x', type: 'MESSAGE_BODY', key: 'temperature', attributeScope: null, defaultValue: null }],
    result: {
      type: 'MESSAGE_BODY',
      key: 'temperatureCelsius',
      resultValuePrecision: 2,
      addToBody: false,
      addToMetadata: false,
      attributeScope: null,
    },
  },
  thingsboardClass: 'org.thingsboard.rule.engine.math.TbMathNode',
  icon: 'calculate',
  create(config) {
    const args = config.arguments ?? [];
    let operation: MathOperation | undefined;
    let operationLabel: string = config.operation;
    if (config.operation === 'CUSTOM') {
      operation = compileCustomFunction(config.customFunction, args);
      operationLabel = `the custom function "${config.customFunction}"`;
    } else if (Object.hasOwn(MATH_OPERATIONS, config.operation)) {
      operation = MATH_OPERATIONS[config.operation];
    }
    if (!operation) throw new Error(`Unknown operation "${String(config.operation)}": use one of ${MATH_OPERATION_NAMES.join(', ')}`);
    if (args.length < operation.minArgs || args.length > operation.maxArgs) {
      throw new Error(
        `Args count: ${args.length} does not match operation: ${config.operation} (it takes ${operation.minArgs === operation.maxArgs ? operation.minArgs : `${operation.minArgs}-${operation.maxArgs}`})`,
      );
    }
    const { result } = config;
    if (!result || !VALUE_SOURCES.includes(result.type) || (result.type as MathValueSource) === 'CONSTANT') {
      throw new Error('Choose where the result goes (result.type: MESSAGE_BODY, MESSAGE_METADATA, ATTRIBUTE or TIME_SERIES)');
    }
    const precision = result.resultValuePrecision;
    if (!Number.isInteger(precision) || precision < 0)
      throw new Error(`result.resultValuePrecision must be a whole number ≥ 0 (was ${String(precision)})`);
    const wholeResult = operation.integerResult || precision === 0;
    const stored = result.type === 'ATTRIBUTE' || result.type === 'TIME_SERIES';
    const writesBody = result.type === 'MESSAGE_BODY' || (stored && result.addToBody);
    const writesMetadata = result.type === 'MESSAGE_METADATA' || (stored && result.addToMetadata);
    const readsBody = writesBody || args.some((arg) => arg.type === 'MESSAGE_BODY');

    const process = async (msg: RuleMsg, ctx: RuleNodeContext): Promise<void> => {
      const body = readsBody ? requireDataObject(msg, 'the math function reads or writes keys of a JSON object') : undefined;
      const values = await Promise.all(args.map((arg) => argumentValue(ctx, msg, body, arg)));
      const raw = operation.apply(values);
      if (!Number.isFinite(raw)) {
        throw new Error(
          `The result of ${operationLabel} is ${raw} (division by zero or outside a function's domain), which cannot be written: check the arguments' values`,
        );
      }
      // Whole results are LONGs (Java's cast truncates); others DOUBLEs rounded half-up to the precision.
      const value = wholeResult ? Math.trunc(raw) : roundHalfUp(raw, precision);
      const valueText = wholeResult ? String(value) : javaDoubleText(value);
      const key = fillTemplate(result.key, msg);

      if (result.type === 'ATTRIBUTE') {
        await ctx.services.attributes.save(
          msg.originator,
          result.attributeScope || 'SERVER_SCOPE',
          `{${JSON.stringify(key)}:${valueText}}`,
        );
      } else if (result.type === 'TIME_SERIES') {
        // As in ThingsBoard, telemetry keeps the unrounded double, stamped with the current time.
        await ctx.services.timeseries.save(msg.originator, `{${JSON.stringify(key)}:${javaDoubleText(raw)}}`, Date.now());
      }
      const changes: { data?: string; metadata?: Record<string, string> } = {};
      if (writesBody) changes.data = dataWithNumber(body!, key, valueText);
      if (writesMetadata) changes.metadata = { ...msg.metadata, [key]: valueText };
      ctx.tellSuccess(writesBody || writesMetadata ? ctx.transformMsg(msg, changes) : msg);
    };

    return {
      onMsg(msg, ctx) {
        return inOriginatorOrder(msg, () => process(msg, ctx));
      },
    };
  },
};
