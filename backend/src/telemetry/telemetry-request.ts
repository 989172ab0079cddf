import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request } from 'express';
import { Repository } from 'typeorm';
import { checkAccess } from '../access/tenant-access';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DeviceEntity } from '../devices/device.entity';
import { ApiError, ErrorCode } from '../errors/api-error';
import { parseUuid } from '../paging/uuid-param';
import { ATTRIBUTE_SCOPES, AttributeScope } from './kv-entry';

export type QueryParams = Record<string, string | string[] | undefined>;

const single = (raw: string | string[] | undefined) => (Array.isArray(raw) ? raw[raw.length - 1] : raw);

/** Keys from repeated `key=` (which allows commas inside keys) or else comma-separated `keys=`; undefined when none are named. */
export function keysParam(query: QueryParams): string[] | undefined {
  const repeated = query.key;
  const keys = repeated !== undefined ? (Array.isArray(repeated) ? repeated : [repeated]) : (single(query.keys)?.split(',') ?? []);
  const named = keys.filter(Boolean);
  return named.length > 0 ? named : undefined;
}

export function intParam(query: QueryParams, name: string, fallback?: number): number | undefined {
  const raw = single(query[name]);
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw ApiError.badRequest(`Invalid value '${raw}' for ${name}: expected a whole number`);
  return Number(raw);
}

export function boolParam(query: QueryParams, name: string, fallback: boolean): boolean {
  const raw = single(query[name]);
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw ApiError.badRequest(`Invalid value '${raw}' for ${name}: expected true or false`);
  return raw === 'true';
}

export function enumParam<T extends string>(query: QueryParams, name: string, allowed: readonly T[], fallback?: T): T | undefined {
  const raw = single(query[name]);
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw ApiError.badRequest(`Invalid value '${raw}' for ${name}: use one of ${allowed.join(', ')}`);
  return raw as T;
}

export function scopeParam(raw: string): AttributeScope {
  if (!(ATTRIBUTE_SCOPES as readonly string[]).includes(raw))
    throw ApiError.badRequest(`Invalid scope: ${raw}. Use one of ${ATTRIBUTE_SCOPES.join(', ')}`);
  return raw as AttributeScope;
}

/** Finds the device a telemetry request addresses and checks the caller may use it; loads request bodies as text. */
@Injectable()
export class TelemetryRequests {
  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Unknown → 404, another tenant's or another customer's → 403; only DEVICE entities for now. */
  async device(user: SecurityUser, entityType: string, rawId: string): Promise<DeviceEntity> {
    if (entityType !== 'DEVICE') {
      throw ApiError.badRequest(`Entity type '${entityType}' is not supported by the telemetry API yet: only DEVICE is`);
    }
    const id = parseUuid(rawId);
    return checkAccess(user, 'DEVICE', id, await this.devices.findOneBy({ id }));
  }

  /**
   * The body exactly as sent: typing needs each number's source text (`42.0` is DOUBLE, `42` LONG), which the
   * parsed body has lost. JSON bodies were captured by the body parser (rawBody); others are read here.
   */
  async bodyText(request: Request & { rawBody?: Buffer }): Promise<string> {
    if (request.rawBody) return request.rawBody.toString('utf8');
    if (request.readableEnded) return '';
    const limit = this.config.httpMaxBodyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new ApiError(413, `Payload size exceeds the limit of ${limit} bytes`, ErrorCode.BAD_REQUEST_PARAMS);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
