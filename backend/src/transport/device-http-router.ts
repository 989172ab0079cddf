import type { HttpHandler, HttpRequest, HttpResponse, HttpRouteRegistry } from '@edgewise/plugin-api';
import { BodyTooLargeError } from '@edgewise/plugin-api';
import { Injectable, Logger } from '@nestjs/common';
import { Request, Response, Router } from 'express';

function readBody(request: Request, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (declared > maxBytes) {
      request.resume(); // drain so the connection can answer 413
      return reject(new BodyTooLargeError(maxBytes));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError(maxBytes));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function wrapRequest(request: Request, response: Response): HttpRequest {
  return {
    params: request.params as Record<string, string>,
    query: request.query as Record<string, string | undefined>,
    headers: request.headers,
    readBody: (maxBytes) => readBody(request, maxBytes),
    // On the response, not the socket: a keep-alive socket outlives many requests and would pile up listeners.
    onAbort: (listener) => response.once('close', () => !response.writableFinished && listener()),
  };
}

function wrapResponse(response: Response): HttpResponse {
  return {
    get sent() {
      return response.headersSent || response.writableEnded;
    },
    send(status, body, headers = {}) {
      if (response.headersSent) return;
      response.status(status);
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
      if (body === undefined) return void response.end();
      if (!response.hasHeader('content-type')) response.setHeader('content-type', 'application/json');
      response.end(typeof body === 'string' ? body : Buffer.from(body));
    },
  };
}

/**
 * The part of the platform HTTP listener that transports (the HTTP device API) own. It is mounted ahead of
 * the REST API's body parser, so handlers see device payloads exactly as sent.
 */
@Injectable()
export class DeviceHttpRouter implements HttpRouteRegistry {
  readonly router = Router();
  private readonly logger = new Logger('DeviceHttp');

  route(method: 'GET' | 'POST', path: string, handler: HttpHandler): void {
    const register = method === 'GET' ? this.router.get.bind(this.router) : this.router.post.bind(this.router);
    register(path, (request: Request, response: Response) => {
      Promise.resolve(handler(wrapRequest(request, response), wrapResponse(response))).catch((e: Error) => {
        this.logger.error(`${method} ${path} failed: ${e.stack ?? e.message}`);
        if (!response.headersSent) response.status(500).end();
      });
    });
  }
}
