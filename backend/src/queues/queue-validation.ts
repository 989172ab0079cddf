import type { JsonObject } from '../database/column-transformers';
import { ApiError } from '../errors/api-error';
import { PROCESSING_STRATEGY_TYPES, ProcessingStrategyType, SUBMIT_STRATEGY_TYPES, SubmitStrategyType } from './queue.entity';
import type { QueueConfig } from './queue.json';

/** The writable part of a queue, checked. */
export interface QueueFields extends QueueConfig {
  additionalInfo: JsonObject | null;
}

/** ThingsBoard keeps these names for its calculated-field queues. */
const RESERVED_NAMES = ['CalculatedFields', 'CalculatedFieldStates'];
const NAME_OR_TOPIC = /^[a-zA-Z0-9_.-]+$/;

function fail(message: string): never {
  throw ApiError.badRequest(message);
}

type Body = Record<string, unknown>;

/**
 * A number field as ThingsBoard's Jackson binding reads it: absent or null is 0 (a Java primitive), a
 * number or numeric text is taken, anything else is refused.
 */
function numberField(body: Body, field: string, what: string, whole: boolean): number {
  const raw = body[field];
  if (raw === undefined || raw === null) return 0;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || (whole && !Number.isInteger(value)))
    fail(`Queue ${what} should be a ${whole ? 'whole number' : 'number'}, got ${JSON.stringify(raw)}`);
  return value;
}

function enumField<T extends string>(raw: unknown, what: string, allowed: readonly T[]): T | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string' || !allowed.includes(raw as T))
    fail(`Queue ${what} ${JSON.stringify(raw)} is not supported: use one of ${allowed.join(', ')}`);
  return raw as T;
}

function objectField(body: Body, field: string): Body | null {
  const raw = body[field];
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(`Queue ${field} should be a JSON object`);
  return raw as Body;
}

function validateNameOrTopic(value: unknown, field: 'name' | 'topic'): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`Queue ${field} should be specified!`);
  if (!NAME_OR_TOPIC.test(value)) fail(`Queue ${field} contains a character other than ASCII alphanumerics, '.', '_' and '-'!`);
  return value;
}

/** Reads and validates a queue body with ThingsBoard's QueueValidator rules and messages, in its order. */
export function validateQueue(body: unknown): QueueFields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('Queue should be a JSON object (rest-api.md §6.2)');
  const queue = body as Body;
  const name = validateNameOrTopic(queue.name, 'name');
  if (RESERVED_NAMES.includes(name))
    fail(`The queue name '${name}' is not allowed. This name is reserved for internal use. Please choose a different name.`);
  const topic = validateNameOrTopic(queue.topic, 'topic');
  const pollInterval = numberField(queue, 'pollInterval', 'poll interval', true);
  if (pollInterval < 1) fail('Queue poll interval should be more then 0!');
  const partitions = numberField(queue, 'partitions', 'partitions', true);
  if (partitions < 1) fail('Queue partitions should be more then 0!');
  const packProcessingTimeout = numberField(queue, 'packProcessingTimeout', 'pack processing timeout', true);
  if (packProcessingTimeout < 1) fail('Queue pack processing timeout should be more then 0!');

  const submit = objectField(queue, 'submitStrategy') ?? fail("Queue submit strategy can't be null!");
  const submitType = enumField<SubmitStrategyType>(submit.type, 'submit strategy type', SUBMIT_STRATEGY_TYPES);
  if (!submitType) fail("Queue submit strategy type can't be null!");
  const batchSize = numberField(submit, 'batchSize', 'submit strategy batch size', true);
  if (submitType === 'BATCH' && batchSize < 1) fail('Queue submit strategy batch size should be more then 0!');

  const processing = objectField(queue, 'processingStrategy') ?? fail("Queue processing strategy can't be null!");
  const processingType = enumField<ProcessingStrategyType>(processing.type, 'processing strategy type', PROCESSING_STRATEGY_TYPES);
  if (!processingType) fail("Queue processing strategy type can't be null!");
  const retries = numberField(processing, 'retries', 'processing strategy retries', true);
  if (retries < 0) fail("Queue processing strategy retries can't be less then 0!");
  const failurePercentage = numberField(processing, 'failurePercentage', 'processing strategy failure percentage', false);
  if (failurePercentage < 0 || failurePercentage > 100)
    fail('Queue processing strategy failure percentage should be in a range from 0 to 100!');
  const pauseBetweenRetries = numberField(processing, 'pauseBetweenRetries', 'processing strategy pause between retries', true);
  if (pauseBetweenRetries < 0) fail("Queue processing strategy pause between retries can't be less then 0!");
  const maxPauseBetweenRetries = numberField(processing, 'maxPauseBetweenRetries', 'processing strategy MAX pause between retries', true);
  if (maxPauseBetweenRetries < pauseBetweenRetries)
    fail("Queue processing strategy MAX pause between retries can't be less then pause between retries!");

  const additionalInfo = objectField(queue, 'additionalInfo');
  return {
    name,
    topic,
    pollInterval,
    partitions,
    consumerPerPartition: queue.consumerPerPartition === true,
    packProcessingTimeout,
    submitStrategy: { type: submitType, batchSize },
    processingStrategy: { type: processingType, retries, failurePercentage, pauseBetweenRetries, maxPauseBetweenRetries },
    additionalInfo,
  };
}
