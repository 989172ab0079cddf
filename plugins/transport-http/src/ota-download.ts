/** Firmware and software download over the HTTP device API (device-api.md §2.6). */
import type { DeviceSession, OtaPackageType } from '@edgewise/plugin-api';
import { badRequest, type Reply } from './replies';

/** The query of `GET /api/v1/{token}/firmware|software`, as text (absent → undefined). */
export interface OtaDownloadQuery {
  title?: string;
  version?: string;
  size?: string;
  chunk?: string;
}

const NOT_FOUND: Reply = { status: 404 };
const INT32_MAX = 2147483647;

/** An `int` query parameter as Spring binds it: absent or empty → the default; otherwise an int32 or a 400 reason. */
function intParameter(name: string, raw: string | undefined): number | string {
  if (raw === undefined || raw === '') return 0;
  const value = /^[-+]?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= -INT32_MAX - 1 && value <= INT32_MAX)) return `${name} must be a whole number (e.g. ${name}=0), not "${raw}"`;
  return value;
}

/** HTTP headers carry Latin-1 only: other names are percent-encoded, as they would be in a URL. */
const headerSafe = (name: string): string => (/^[\x20-\x7e\xa0-\xff]*$/.test(name) ? name : encodeURIComponent(name));

/**
 * 200 with bytes `[chunk*size, …)` of the assigned package (`size` 0: the whole file; past the end: empty),
 * with the reference's headers. Nothing assigned, or a URL package → 404; title or version not those of the
 * assigned package → 400.
 */
export async function serveOtaDownload(session: DeviceSession, type: OtaPackageType, query: OtaDownloadQuery): Promise<Reply> {
  for (const name of ['title', 'version'] as const) {
    if (query[name] === undefined)
      return badRequest(`Required request parameter '${name}' is not present: add ?title=…&version=… of the package`);
  }
  const size = intParameter('size', query.size);
  const chunk = intParameter('chunk', query.chunk);
  if (typeof size === 'string') return badRequest(size);
  if (typeof chunk === 'string') return badRequest(chunk);
  if (chunk < 0) return badRequest(`chunk must be 0 or more, not ${chunk}`);
  const lookup = await session.findOtaPackage(type);
  if (!lookup.ok) return NOT_FOUND;
  const found = lookup.package;
  if (found.title !== query.title || found.version !== query.version) {
    return badRequest(`The ${type.toLowerCase()} assigned to this device is '${found.title}' version '${found.version}': ask for that`);
  }
  const bytes = await session.readOtaChunk(found.packageId, size, chunk);
  const fileName = headerSafe(found.fileName);
  return {
    status: 200,
    body: bytes,
    headers: {
      'content-type': found.contentType || 'application/octet-stream',
      'content-disposition': `attachment;filename=${fileName}`,
      'x-filename': fileName,
      'content-length': String(bytes.byteLength),
    },
  };
}
