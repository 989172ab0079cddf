import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Column } from 'typeorm';
import { ApiError } from '../errors/api-error';

/** The address block ThingsBoard's customers and tenants share (its `ContactBased`). */
export const CONTACT_FIELDS = ['country', 'state', 'city', 'address', 'address2', 'zip', 'phone', 'email'] as const;
export type ContactFields = Record<(typeof CONTACT_FIELDS)[number], string | null>;

/** The columns of the address block; customer and tenant entities extend it. */
export abstract class ContactColumns implements ContactFields {
  @Column('varchar', { length: 255, nullable: true }) country: string | null;
  @Column('varchar', { length: 255, nullable: true }) state: string | null;
  @Column('varchar', { length: 255, nullable: true }) city: string | null;
  @Column('varchar', { length: 255, nullable: true }) address: string | null;
  @Column('varchar', { length: 255, nullable: true }) address2: string | null;
  @Column('varchar', { length: 255, nullable: true }) zip: string | null;
  @Column('varchar', { length: 255, nullable: true }) phone: string | null;
  @Column('varchar', { length: 255, nullable: true }) email: string | null;
}

export class ContactDto {
  @ApiPropertyOptional({ example: 'Ukraine' }) @IsOptional() @IsString() @MaxLength(255) country?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) state?: string | null;
  @ApiPropertyOptional({ example: 'Kyiv' }) @IsOptional() @IsString() @MaxLength(255) city?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) address?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) address2?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) zip?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) phone?: string | null;
  @ApiPropertyOptional({ example: 'ops@company-a.example' }) @IsOptional() @IsString() @MaxLength(255) email?: string | null;
}

/** The contact fields of a request body, absent ones as null; a given e-mail must look like one. */
export function contactFields(dto: ContactDto): ContactFields {
  if (dto.email) assertEmailFormat(dto.email);
  return Object.fromEntries(CONTACT_FIELDS.map((field) => [field, dto[field] ?? null])) as ContactFields;
}

export const contactJson = (entity: ContactFields): ContactFields =>
  Object.fromEntries(CONTACT_FIELDS.map((field) => [field, entity[field]])) as ContactFields;

/** ThingsBoard's DataValidator pattern, so the same addresses pass and fail. */
const EMAIL_PATTERN = /^[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}$/i;

export function assertEmailFormat(email: string): void {
  if (!EMAIL_PATTERN.test(email)) throw ApiError.badRequest(`Invalid email address format '${email}'!`);
}
