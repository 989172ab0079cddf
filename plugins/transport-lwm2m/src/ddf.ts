/**
 * Object models from the OMA DDF XML (the object definitions of the OMA LwM2M registry, as ThingsBoard stores them
 * as `LWM2M_MODEL` resources): the object's id, version and instance multiplicity, and per resource its name,
 * operations, multiplicity and type — the type decides how values are decoded and typed as telemetry.
 * fast-xml-parser reads the XML; the checks here are the ones Leshan's DDF parser makes, with messages that name
 * the file and the element at fault.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ModelLookup, ObjectModel, ResourceModel, ResourceType } from './object-model';

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
}

/** `<Type>` of the DDF schema → resource type; empty is an executable resource's. */
const TYPES: Record<string, ResourceType> = {
  '': 'NONE',
  string: 'STRING',
  integer: 'INTEGER',
  'unsigned integer': 'UNSIGNED_INTEGER',
  float: 'FLOAT',
  boolean: 'BOOLEAN',
  opaque: 'OPAQUE',
  time: 'TIME',
  objlnk: 'OBJLNK',
  corelnk: 'CORELNK',
};
const OPERATIONS = new Set(['', 'R', 'W', 'RW', 'E']);
const MAX_ID = 65535;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Every value as text: `<ObjectVersion>1.0</ObjectVersion>` must stay "1.0", not become 1.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'Object' || name === 'Item',
});

type XmlNode = Record<string, unknown>;
const isNode = (value: unknown): value is XmlNode => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Text content of a child element: `<X/>`, `<X></X>` and `<X>a</X>` read as '', '' and 'a'. */
function text(node: XmlNode, name: string): string | undefined {
  const value = node[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.trim();
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'].trim();
  return isNode(value) ? '' : String(value);
}

/** Parses one DDF document; throws ModelFileError naming `source` and what is wrong in it. */
export function parseDdf(xml: string, source: string): ObjectModel[] {
  const fail = (what: string): never => {
    throw new ModelFileError(`LwM2M model ${source} is not a valid OMA DDF file: ${what}`);
  };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) fail(`${valid.err.msg} (line ${valid.err.line})`);
  const document = parser.parse(xml) as XmlNode;
  const root = document.LWM2M;
  const objects = isNode(root) && Array.isArray(root.Object) ? (root.Object as unknown[]) : [];
  if (objects.length === 0) fail('expected <LWM2M><Object>…</Object></LWM2M>');
  return objects.map((object) => {
    if (!isNode(object)) return fail('<Object> is empty');
    const id = whole(text(object, 'ObjectID'), '<ObjectID>', fail);
    const where = `object ${id}`;
    const name = text(object, 'Name');
    if (!name) fail(`${where} has no <Name>`);
    const version = text(object, 'ObjectVersion') || '1.0';
    if (!/^\d+\.\d+$/.test(version)) fail(`${where}: <ObjectVersion> ${version} must look like 1.0`);
    const resourcesNode = object.Resources;
    const items = isNode(resourcesNode) && Array.isArray(resourcesNode.Item) ? (resourcesNode.Item as unknown[]) : [];
    const resources = new Map<number, ResourceModel>();
    for (const item of items) {
      if (!isNode(item)) fail(`${where} has an empty <Item>`);
      const resource = parseItem(item as XmlNode, where, fail);
      if (resources.has(resource.id)) fail(`${where} defines resource ${resource.id} twice`);
      resources.set(resource.id, resource);
    }
    return {
      id,
      name: name!,
      version,
      multiple: multiplicity(text(object, 'MultipleInstances'), `${where} <MultipleInstances>`, fail),
      mandatory: text(object, 'Mandatory') === 'Mandatory',
      resources,
    };
  });
}

function parseItem(item: XmlNode, where: string, fail: (what: string) => never): ResourceModel {
  const id = whole(typeof item['@ID'] === 'string' ? item['@ID'] : undefined, `${where}: <Item ID>`, fail);
  const at = `${where} resource ${id}`;
  const operations = (text(item, 'Operations') ?? '').toUpperCase();
  if (!OPERATIONS.has(operations)) fail(`${at}: <Operations> ${operations} must be one of R, W, RW, E or empty`);
  const typeText = (text(item, 'Type') ?? '').toLowerCase();
  const type = TYPES[typeText];
  if (type === undefined)
    fail(`${at}: <Type> ${typeText} is not a DDF type (String, Integer, Unsigned Integer, Float, Boolean, Opaque, Time, Objlnk, Corelnk)`);
  return {
    id,
    name: text(item, 'Name') || `Resource ${id}`,
    operations,
    multiple: multiplicity(text(item, 'MultipleInstances'), `${at} <MultipleInstances>`, fail),
    mandatory: text(item, 'Mandatory') === 'Mandatory',
    type,
  };
}

function whole(value: string | undefined, what: string, fail: (what: string) => never): number {
  if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > MAX_ID) fail(`${what} must be a number from 0 to ${MAX_ID}`);
  return Number(value);
}

function multiplicity(value: string | undefined, what: string, fail: (what: string) => never): boolean {
  if (value === 'Multiple') return true;
  if (value === 'Single') return false;
  return fail(`${what} must be Single or Multiple`);
}

/** Object models by id and version; a later model of the same id and version replaces the earlier one. */
export class ModelRegistry implements ModelLookup {
  private readonly models = new Map<string, ObjectModel>();

  add(...models: ObjectModel[]): this {
    for (const model of models) this.models.set(`${model.id}_${model.version}`, model);
    return this;
  }

  find(objectId: number, version: string): ObjectModel | undefined {
    return this.models.get(`${objectId}_${version}`);
  }

  get size(): number {
    return this.models.size;
  }
}

/** The `*.xml` files of a directory (the built-in models); the first bad file stops the load with its name. */
export function loadModelDirectory(directory: string): ModelRegistry {
  const registry = new ModelRegistry();
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.xml'))
    .sort())
    registry.add(...parseDdf(readFileSync(join(directory, file), 'utf8'), join(directory, file)));
  return registry;
}

/** The models shipped with the transport (`models/`, device-api.md §6.2). */
export const BUILT_IN_MODELS_DIRECTORY = join(__dirname, '..', 'models');
