import { FormGroup } from '@angular/forms';
import { describe, expect, it } from 'vitest';
import { fieldsOf, formGroupOf, formValueOf, scriptLanguageOf, scriptVisible } from './schema-form';

const scriptSchema = {
  type: 'object',
  properties: {
    scriptLang: { type: 'string', enum: ['JS', 'TBEL'], title: 'Script language' },
    jsScript: { type: 'string', title: 'JavaScript function body' },
    tbelScript: { type: 'string', title: 'TBEL function body' },
  },
  required: ['scriptLang'],
};

const attributesSchema = {
  type: 'object',
  properties: {
    clientAttributeNames: { type: 'array', title: 'Client attributes', items: { type: 'string', minLength: 1 } },
    tellFailureIfAbsent: { type: 'boolean' },
    fetchTo: { type: 'string', enum: ['DATA', 'METADATA'], description: 'Where values go' },
    defaultTTL: { type: 'integer', minimum: 0 },
    proxyHost: { type: ['string', 'null'] },
    proxyPort: { type: ['integer', 'null'] },
    headers: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    processingSettings: {
      type: 'object',
      title: 'Processing settings',
      properties: {
        type: { type: 'string', enum: ['ON_EVERY_MESSAGE', 'DEDUPLICATE'] },
        deduplicationIntervalSecs: { type: 'integer', minimum: 1 },
      },
      required: ['type'],
    },
  },
  required: ['clientAttributeNames', 'fetchTo'],
};

describe('schema form', () => {
  it('turns each property into a field of its kind, with the title (or the key made readable) as label', () => {
    const fields = fieldsOf(attributesSchema);
    expect(fields.map((f) => [f.key, f.kind, f.label, f.required])).toEqual([
      ['clientAttributeNames', 'string-list', 'Client attributes', true],
      ['tellFailureIfAbsent', 'boolean', 'Tell failure if absent', false],
      ['fetchTo', 'enum', 'Fetch to', true],
      ['defaultTTL', 'number', 'Default ttl', false],
      ['proxyHost', 'text', 'Proxy host', false],
      ['proxyPort', 'number', 'Proxy port', false],
      ['headers', 'json', 'Headers', false],
      ['processingSettings', 'object', 'Processing settings', false],
    ]);
    expect(fields[2]).toMatchObject({ options: ['DATA', 'METADATA'], hint: 'Where values go' });
    expect(fields[4]).toMatchObject({ nullable: true });
    const nested = fields[7];
    expect(nested.kind === 'object' && nested.fields.map((f) => f.key)).toEqual(['type', 'deduplicationIntervalSecs']);
  });

  it('marks script bodies with their language', () => {
    expect(fieldsOf(scriptSchema).map((f) => (f.kind === 'text' ? f.script : undefined))).toEqual([undefined, 'JS', 'TBEL']);
    expect(scriptLanguageOf('alarmDetailsBuildJs')).toBe('JS');
    expect(scriptLanguageOf('alarmDetailsBuildTbel')).toBe('TBEL');
    expect(scriptLanguageOf('topicPattern')).toBeUndefined();
  });

  it('shows only the script of the chosen language', () => {
    const fields = fieldsOf(scriptSchema);
    const group = formGroupOf(fields, { scriptLang: 'TBEL', jsScript: 'return 1;', tbelScript: 'return 2;' });
    expect(fields.filter((f) => scriptVisible(f, group)).map((f) => f.key)).toEqual(['scriptLang', 'tbelScript']);
    group.controls['scriptLang'].setValue('JS');
    expect(fields.filter((f) => scriptVisible(f, group)).map((f) => f.key)).toEqual(['scriptLang', 'jsScript']);
  });

  it('gives back the configuration it was given, and edits on top of it keep unknown keys', () => {
    const fields = fieldsOf(attributesSchema);
    const config = {
      clientAttributeNames: ['a', 'b'],
      tellFailureIfAbsent: true,
      fetchTo: 'METADATA',
      defaultTTL: 0,
      proxyHost: null,
      proxyPort: null,
      headers: { 'Content-Type': 'application/json' },
      processingSettings: { type: 'ON_EVERY_MESSAGE' },
      legacyFlag: 'kept',
    };
    const group = formGroupOf(fields, config);
    expect(formValueOf(fields, group, config)).toEqual(config);

    group.controls['defaultTTL'].setValue(60);
    group.controls['proxyHost'].setValue('proxy.local');
    (group.controls['processingSettings'] as FormGroup).controls['deduplicationIntervalSecs'].setValue(10);
    group.controls['headers'].setValue('{"X-Key": "1"}');
    expect(formValueOf(fields, group, config)).toEqual({
      ...config,
      defaultTTL: 60,
      proxyHost: 'proxy.local',
      headers: { 'X-Key': '1' },
      processingSettings: { type: 'ON_EVERY_MESSAGE', deduplicationIntervalSecs: 10 },
    });
  });

  it('saves an emptied optional field as null where the schema allows null, and leaves it out otherwise', () => {
    const fields = fieldsOf(attributesSchema);
    const config = { clientAttributeNames: [], fetchTo: 'DATA', defaultTTL: 5, proxyPort: 8080 };
    const group = formGroupOf(fields, config);
    group.controls['defaultTTL'].setValue(null);
    group.controls['proxyPort'].setValue(null);
    const value = formValueOf(fields, group, config);
    expect(value).not.toHaveProperty('defaultTTL');
    expect(value['proxyPort']).toBeNull();
  });

  it('refuses values the schema does not allow, so they are never saved', () => {
    const fields = fieldsOf(attributesSchema);
    const group = formGroupOf(fields, { clientAttributeNames: [], fetchTo: 'DATA', processingSettings: { type: 'ON_EVERY_MESSAGE' } });
    expect(group.valid).toBe(true);
    group.controls['defaultTTL'].setValue(-1);
    expect(group.controls['defaultTTL'].hasError('min')).toBe(true);
    group.controls['defaultTTL'].setValue(1.5);
    expect(group.controls['defaultTTL'].hasError('pattern')).toBe(true);
    group.controls['fetchTo'].setValue('');
    expect(group.controls['fetchTo'].hasError('required')).toBe(true);
    group.controls['headers'].setValue('{not json');
    expect(group.controls['headers'].hasError('json')).toBe(true);
    expect(group.valid).toBe(false);
  });
});
