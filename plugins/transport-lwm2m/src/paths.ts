/**
 * LwM2M paths: `/objectId[/instanceId[/resourceId[/resourceInstanceId]]]`, and ThingsBoard's versioned form
 * `/objectId_version/…` used in device profiles and RPC params (device-api.md §6.2).
 */

export interface Lwm2mPath {
  objectId: number;
  instanceId?: number;
  resourceId?: number;
  resourceInstanceId?: number;
}

export class PathError extends Error {
  override readonly name = 'PathError';
}

const MAX_ID = 65535;

function parseId(text: string, original: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > MAX_ID)
    throw new PathError(`Invalid LwM2M path ${original}: each part must be a number from 0 to ${MAX_ID}, e.g. /3/0/9`);
  return Number(text);
}

/** A plain or versioned path; the version (`3_1.2` → `1.2`) is returned apart. */
export function parsePath(text: string): { path: Lwm2mPath; version?: string } {
  const parts = text.trim().replace(/^\//, '').replace(/\/$/, '').split('/');
  if (parts.length === 0 || parts.length > 4 || parts[0] === '')
    throw new PathError(`Invalid LwM2M path ${text}: expected /objectId[/instanceId[/resourceId[/resourceInstanceId]]], e.g. /3/0/9`);
  const [objectPart, ...rest] = parts;
  const [objectText, version] = objectPart.split('_', 2);
  if (version !== undefined && !/^\d+\.\d+$/.test(version))
    throw new PathError(`Invalid LwM2M path ${text}: the object version after "_" must look like 1.0`);
  const [instanceId, resourceId, resourceInstanceId] = rest.map((part) => parseId(part, text));
  return { path: { objectId: parseId(objectText, text), instanceId, resourceId, resourceInstanceId }, version };
}

export function formatPath(path: Lwm2mPath): string {
  return '/' + [path.objectId, path.instanceId, path.resourceId, path.resourceInstanceId].filter((id) => id !== undefined).join('/');
}

/** `/3_1.2/0/9` for object version 1.2. */
export function formatVersionedPath(path: Lwm2mPath, version: string): string {
  return formatPath(path).replace(/^\/(\d+)/, `/$1_${version}`);
}

export const isResource = (path: Lwm2mPath) => path.resourceId !== undefined && path.resourceInstanceId === undefined;
export const isResourceInstance = (path: Lwm2mPath) => path.resourceInstanceId !== undefined;
export const isObjectInstance = (path: Lwm2mPath) => path.instanceId !== undefined && path.resourceId === undefined;
export const isObject = (path: Lwm2mPath) => path.instanceId === undefined;

/** True when `inner` is `outer` or lies below it (`/3/0/9` is within `/3/0`). */
export function isWithin(inner: Lwm2mPath, outer: Lwm2mPath): boolean {
  const a = [inner.objectId, inner.instanceId, inner.resourceId, inner.resourceInstanceId];
  const b = [outer.objectId, outer.instanceId, outer.resourceId, outer.resourceInstanceId];
  return b.every((id, i) => id === undefined || id === a[i]);
}
