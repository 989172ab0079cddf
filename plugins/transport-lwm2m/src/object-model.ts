/**
 * OMA object models (the DDF XML of the OMA LwM2M registry): what an object's resources are called, whether they
 * are single or multiple, readable/writable/executable, and their type — which decides how values are decoded and
 * typed as telemetry.
 */

/** Resource types of the DDF schema (`<Type>`), empty for executable resources. */
export type ResourceType =
  'STRING' | 'INTEGER' | 'UNSIGNED_INTEGER' | 'FLOAT' | 'BOOLEAN' | 'OPAQUE' | 'TIME' | 'OBJLNK' | 'CORELNK' | 'NONE';

export interface ResourceModel {
  id: number;
  name: string;
  /** `R`, `W`, `RW`, `E` or empty. */
  operations: string;
  multiple: boolean;
  mandatory: boolean;
  type: ResourceType;
}

export interface ObjectModel {
  id: number;
  name: string;
  /** `<ObjectVersion>`, `1.0` when absent. */
  version: string;
  multiple: boolean;
  mandatory: boolean;
  resources: ReadonlyMap<number, ResourceModel>;
}

export const isReadable = (resource: ResourceModel) => resource.operations.includes('R');
export const isExecutable = (resource: ResourceModel) => resource.operations.includes('E');

/** Looks models up by object id and version (`3`, `1.2`). */
export interface ModelLookup {
  find(objectId: number, version: string): ObjectModel | undefined;
}
