import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm run build -w @edgewise/frontend` puts the admin, from this file in `backend/src|dist/web-admin/`. */
export const DEFAULT_WEB_ADMIN_DIR = resolve(__dirname, '../../../frontend/dist/admin/browser');

/** Paths the admin never answers: the REST and device HTTP APIs, the WebSocket endpoints, the API explorer. */
const NOT_THE_ADMIN = /^\/(api|swagger-ui|v3\/api-docs)(\/|$)/;
/** Angular's hashed file names (`main-3CNP2P2H.js`, `media/roboto-…-V3H5IIDP.woff2`): their content never changes. */
const HASHED_FILE = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
const FOREVER = 'public, max-age=31536000, immutable';
/** Everything else (index.html, favicon): the browser checks for a newer one each time. */
const REVALIDATE = 'no-cache';

/** A request a browser makes when it navigates to a page of the admin (`/devices/…`), as opposed to fetching a file or an API. */
export function isAdminPage(request: Request): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (NOT_THE_ADMIN.test(request.path)) return false;
  const lastSegment = request.path.slice(request.path.lastIndexOf('/') + 1);
  return !lastSegment.includes('.') && request.accepts('html') === 'html';
}

/**
 * The built admin as request handlers: its files (hashed ones cached for a year, the rest revalidated), and
 * index.html for any page path so the admin's router can show it (reloads and shared links work). Undefined
 * when the folder holds no build.
 */
export function webAdminHandlers(dir: string): RequestHandler[] | undefined {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return undefined;
  const files = express.static(dir, {
    index: false,
    redirect: false,
    setHeaders: (response, path) => response.setHeader('Cache-Control', HASHED_FILE.test(path) ? FOREVER : REVALIDATE),
  });
  const pages = (request: Request, response: Response, next: NextFunction) => {
    if (!isAdminPage(request)) return next();
    response.setHeader('Cache-Control', REVALIDATE);
    response.sendFile(index, (error) => error && next(error));
  };
  return [files, pages];
}

/** When the admin is not built: pages say how to build it instead of a bare 404. */
export function notBuiltHandler(dir: string): RequestHandler {
  return (request, response, next) => {
    if (!isAdminPage(request)) return next();
    response
      .status(404)
      .type('text/plain')
      .send(
        `The Edgewise web admin is not built (no ${join(dir, 'index.html')}).\n` +
          'Build it with `npm run build -w @edgewise/frontend` (or `npm run build`), or point WEB_ADMIN_DIR at a built admin, then restart.\n' +
          'The REST API (/api, explorer at /swagger-ui) and the device APIs work without it.\n',
      );
  };
}
