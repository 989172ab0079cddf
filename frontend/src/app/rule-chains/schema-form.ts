import { AbstractControl, FormControl, FormGroup, ValidatorFn, Validators } from '@angular/forms';
import type { JsonSchema, ScriptLang } from './rule-chain.models';

/**
 * A form generated from a node's JSON Schema: the field kinds the core nodes' configurations use. Anything the
 * generator does not know (arrays of objects, maps, unions) is edited as JSON text, so no setting is out of reach.
 */
interface FieldBase {
  key: string;
  label: string;
  hint?: string;
  required: boolean;
  /** The schema allows null: an emptied field saves null rather than "". */
  nullable: boolean;
}

export interface TextField extends FieldBase {
  kind: 'text';
  minLength?: number;
  maxLength?: number;
  /** A script body, shown in a monospace editor with "Test script", only while its language is chosen. */
  script?: ScriptLang;
}
export interface NumberField extends FieldBase {
  kind: 'number';
  integer: boolean;
  minimum?: number;
  maximum?: number;
}
export interface BooleanField extends FieldBase {
  kind: 'boolean';
}
export interface EnumField extends FieldBase {
  kind: 'enum';
  options: string[];
}
export interface StringListField extends FieldBase {
  kind: 'string-list';
}
export interface ObjectField extends FieldBase {
  kind: 'object';
  fields: SchemaField[];
}
export interface JsonField extends FieldBase {
  kind: 'json';
}
export type SchemaField = TextField | NumberField | BooleanField | EnumField | StringListField | ObjectField | JsonField;

type Schema = Record<string, unknown>;

const typesOf = (schema: Schema): string[] => (Array.isArray(schema['type']) ? (schema['type'] as string[]) : [String(schema['type'])]);

/** "fetchTo" → "Fetch to", when the schema gives no title. */
const humanize = (key: string) => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** ThingsBoard keeps a script per language side by side: `jsScript`/`tbelScript`, `…BuildJs`/`…BuildTbel`. */
export function scriptLanguageOf(key: string): ScriptLang | undefined {
  if (key === 'jsScript' || /[a-z]Js$/.test(key)) return 'JS';
  if (key === 'tbelScript' || /[a-z]Tbel$/.test(key)) return 'TBEL';
  return undefined;
}

function fieldOf(key: string, schema: Schema, required: boolean): SchemaField {
  const types = typesOf(schema);
  const nullable = types.includes('null');
  const concrete = types.filter((t) => t !== 'null');
  const base = {
    key,
    label: typeof schema['title'] === 'string' ? schema['title'] : humanize(key),
    hint: typeof schema['description'] === 'string' ? schema['description'] : undefined,
    required,
    nullable,
  };
  const only = concrete.length === 1 ? concrete[0] : undefined;
  if (Array.isArray(schema['enum']) && (only === 'string' || only === undefined))
    return { ...base, kind: 'enum', options: (schema['enum'] as unknown[]).filter((o): o is string => typeof o === 'string') };
  switch (only) {
    case 'string':
      return {
        ...base,
        kind: 'text',
        minLength: schema['minLength'] as number | undefined,
        maxLength: schema['maxLength'] as number | undefined,
        script: scriptLanguageOf(key),
      };
    case 'integer':
    case 'number':
      return {
        ...base,
        kind: 'number',
        integer: only === 'integer',
        minimum: schema['minimum'] as number | undefined,
        maximum: schema['maximum'] as number | undefined,
      };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'array': {
      const items = (schema['items'] ?? {}) as Schema;
      return items['type'] === 'string' && !items['enum'] ? { ...base, kind: 'string-list' } : { ...base, kind: 'json' };
    }
    case 'object':
      return schema['properties'] && !schema['additionalProperties']
        ? { ...base, kind: 'object', fields: fieldsOf(schema) }
        : { ...base, kind: 'json' };
    default:
      return { ...base, kind: 'json' };
  }
}

/** The fields of an object schema, in the schema's order. */
export function fieldsOf(schema: JsonSchema): SchemaField[] {
  const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  return Object.entries(properties).map(([key, property]) => fieldOf(key, property, required.has(key)));
}

/** Valid JSON text (empty allowed unless required). */
const jsonText: ValidatorFn = (control) => {
  const text = String(control.value ?? '').trim();
  if (!text) return null;
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return { json: (e as Error).message };
  }
};

function validatorsOf(field: SchemaField): ValidatorFn[] {
  const validators: ValidatorFn[] = [];
  if (field.required && field.kind !== 'boolean' && field.kind !== 'string-list' && field.kind !== 'object')
    validators.push(Validators.required);
  if (field.kind === 'text') {
    if (field.minLength) validators.push(Validators.minLength(field.minLength), Validators.pattern(/\S/));
    if (field.maxLength) validators.push(Validators.maxLength(field.maxLength));
  }
  if (field.kind === 'number') {
    if (field.minimum !== undefined) validators.push(Validators.min(field.minimum));
    if (field.maximum !== undefined) validators.push(Validators.max(field.maximum));
    if (field.integer) validators.push(Validators.pattern(/^-?\d+$/));
  }
  if (field.kind === 'json') validators.push(jsonText);
  return validators;
}

function controlOf(field: SchemaField, value: unknown): AbstractControl {
  switch (field.kind) {
    case 'object':
      return formGroupOf(field.fields, (value ?? {}) as Record<string, unknown>);
    case 'boolean':
      return new FormControl(value === true, { nonNullable: true });
    case 'string-list':
      return new FormControl<string[]>(Array.isArray(value) ? value.map(String) : [], { nonNullable: true });
    case 'json':
      return new FormControl(value === undefined || value === null ? '' : JSON.stringify(value, null, 2), validatorsOf(field));
    case 'number':
      return new FormControl<number | null>(typeof value === 'number' ? value : null, validatorsOf(field));
    default:
      return new FormControl(value === undefined || value === null ? '' : String(value), validatorsOf(field));
  }
}

/** A form group holding `value` for these fields. */
export function formGroupOf(fields: readonly SchemaField[], value: Record<string, unknown>): FormGroup {
  const group = new FormGroup<Record<string, AbstractControl>>({});
  for (const field of fields) group.addControl(field.key, controlOf(field, value[field.key]));
  return group;
}

/**
 * The configuration the form describes, on top of `original`: keys the schema does not name are kept, an
 * emptied optional field is left out (or null where the schema allows null), JSON text is parsed.
 */
export function formValueOf(fields: readonly SchemaField[], group: FormGroup, original: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...original };
  for (const field of fields) {
    const control = group.controls[field.key];
    const raw: unknown = control.value;
    if (field.kind === 'object') {
      result[field.key] = formValueOf(field.fields, control as FormGroup, (original[field.key] ?? {}) as Record<string, unknown>);
    } else if (raw !== '' && raw !== null && raw !== undefined) {
      result[field.key] = field.kind === 'json' ? JSON.parse(String(raw)) : field.kind === 'number' ? Number(raw) : raw;
    } else if (field.nullable) {
      result[field.key] = null;
    } else if (field.kind === 'text' && field.key in original) {
      result[field.key] = '';
    } else {
      delete result[field.key];
    }
  }
  return result;
}

/** Whether a script field is shown: only the one of the language chosen beside it (when there is a choice). */
export function scriptVisible(field: SchemaField, group: FormGroup): boolean {
  if (field.kind !== 'text' || !field.script) return true;
  const lang = group.controls['scriptLang']?.value as ScriptLang | undefined;
  return !lang || lang === field.script;
}
