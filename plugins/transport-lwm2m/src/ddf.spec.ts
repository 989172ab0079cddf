import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MODELS_DIRECTORY, loadModelDirectory, parseDdf } from './ddf';

const ddf = (object: string) => `<?xml version="1.0" encoding="UTF-8"?><LWM2M><Object ObjectType="MODefinition">${object}</Object></LWM2M>`;
const item = (id: string, type: string, operations = 'R') =>
  `<Item ID="${id}"><Name>R${id}</Name><Operations>${operations}</Operations><MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Type>${type}</Type></Item>`;
const object = (resources: string, head = '<Name>Test</Name><ObjectID>33000</ObjectID><ObjectVersion>1.0</ObjectVersion>') =>
  ddf(`${head}<MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory><Resources>${resources}</Resources>`);

describe('LwM2M object models from DDF XML', () => {
  const scratch: string[] = [];
  afterEach(() => scratch.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('reads every built-in model with the types, operations and multiplicity of its resources', () => {
    const models = loadModelDirectory(BUILT_IN_MODELS_DIRECTORY);
    expect(models.size).toBe(11);
    const device = models.find(3, '1.2')!;
    expect(device).toMatchObject({ id: 3, name: 'Device', version: '1.2', multiple: false, mandatory: true });
    expect(device.resources.get(9)).toMatchObject({ name: 'Battery Level', operations: 'R', type: 'INTEGER', multiple: false });
    expect(device.resources.get(6)).toMatchObject({ name: 'Available Power Sources', multiple: true, type: 'INTEGER' });
    expect(device.resources.get(4)).toMatchObject({ name: 'Reboot', operations: 'E', type: 'NONE' });
    expect(device.resources.get(13)).toMatchObject({ type: 'TIME' });
    const firmware = models.find(5, '1.1')!;
    expect(firmware.resources.get(0)).toMatchObject({ name: 'Package', operations: 'W', type: 'OPAQUE' });
    expect(firmware.resources.get(8)).toMatchObject({ type: 'INTEGER', multiple: true });
    expect(models.find(3303, '1.1')!.resources.get(5700)).toMatchObject({ name: 'Sensor Value', type: 'FLOAT' });
    expect(models.find(0, '1.2')!.resources.get(1)).toMatchObject({ type: 'BOOLEAN' });
    expect(models.find(1, '1.2')!.resources.get(0)).toMatchObject({ type: 'INTEGER' });
    expect(models.find(3, '1.0')).toBeUndefined();
  });

  it('takes 1.0 as the version of a model that states none, and every DDF type', () => {
    const types = ['String', 'Integer', 'Unsigned Integer', 'Float', 'Boolean', 'Opaque', 'Time', 'Objlnk', 'Corelnk', ''];
    const [model] = parseDdf(
      object(types.map((type, i) => item(String(i), type)).join(''), '<Name>T</Name><ObjectID>33001</ObjectID>'),
      'types.xml',
    );
    expect(model.version).toBe('1.0');
    expect([...model.resources.values()].map((resource) => resource.type)).toEqual([
      'STRING',
      'INTEGER',
      'UNSIGNED_INTEGER',
      'FLOAT',
      'BOOLEAN',
      'OPAQUE',
      'TIME',
      'OBJLNK',
      'CORELNK',
      'NONE',
    ]);
  });

  it.each([
    ['not XML at all', 'hello', /bad\.xml is not a valid OMA DDF file: .*line 1/],
    ['unclosed element', ddf('<Name>T</Name><ObjectID>1</ObjectID>'.replace('</Name>', '')), /bad\.xml .*Name/],
    ['no Object', '<LWM2M></LWM2M>', /bad\.xml .*expected <LWM2M><Object>/],
    ['an ObjectID that is not a number', object('', '<Name>T</Name><ObjectID>x</ObjectID>'), /bad\.xml .*<ObjectID> must be a number/],
    ['an unknown type', object(item('1', 'Decimal')), /bad\.xml .*object 33000 resource 1: <Type> decimal is not a DDF type/],
    ['unknown operations', object(item('1', 'String', 'RWX')), /bad\.xml .*resource 1: <Operations> RWX/],
    ['a resource defined twice', object(item('1', 'String') + item('1', 'Integer')), /bad\.xml .*defines resource 1 twice/],
  ])('refuses a file with %s, naming it', (_case, xml, message) => {
    expect(() => parseDdf(xml, 'bad.xml')).toThrow(message);
  });

  it('stops loading a directory at a bad file, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddf-'));
    scratch.push(dir);
    writeFileSync(join(dir, 'good.xml'), object(item('1', 'String')));
    writeFileSync(join(dir, 'broken.xml'), '<LWM2M><Object>');
    expect(() => loadModelDirectory(dir)).toThrow(/broken\.xml is not a valid OMA DDF file/);
  });
});
