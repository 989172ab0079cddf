import { randomUUID } from 'node:crypto';
import type { AttributeScope, KvRecord, RuleMsg, RuleNodeContext, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { mutableCopy } from '../transformation/msg-data';
import { fillTemplate } from '../transformation/templates';
import { ATTRIBUTE_SCOPES } from './attribute-scopes';
import { requireDataObject } from './message-values';
import { javaDoubleText, MATH_OPERATION_NAMES, MATH_OPERATIONS, roundHalfUp, type FixedMathOperation } from './math-operations';

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

/**
 * "math function": computes ADD, SUB, SIN, … of arguments taken from the data, metadata, attributes, latest
 * telemetry or constants, and writes the result to the data, metadata, an attribute or telemetry.
 *
 * CUSTOM (a free expression such as `(x - 32) / 1.8`, ThingsBoard's default) needs an expression library;
 * none is a dependency of this package yet, so a CUSTOM node refuses to start with a reason.
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
    if (config.operation === 'CUSTOM') {
      throw new Error(
        'The CUSTOM operation (custom expressions) is not supported yet: choose a fixed operation such as ADD, SUB, MULT or DIV',
      );
    }
    const operation = MATH_OPERATIONS[config.operation];
    if (!operation) throw new Error(`Unknown operation "${String(config.operation)}": use one of ${MATH_OPERATION_NAMES.join(', ')}`);
    const args = config.arguments ?? [];
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
          `The result of ${config.operation} is ${raw} (division by zero or outside the function's domain), which cannot be written`,
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
