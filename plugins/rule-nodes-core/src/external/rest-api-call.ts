import { STATUS_CODES } from 'node:http';
import type { RuleMsg, RuleNodeContext, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { requireJsonData } from '../transformation/msg-data';
import { fillTemplate } from '../transformation/templates';
import { ANONYMOUS, basicCredentials, credentialsSchema, type ClientCredentials } from './credentials';
import { errorMetadata, toPlainText } from './payload';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestApiCallConfig {
  /** URL with `${metadataKey}` / `$[dataKey]` placeholders. */
  restEndpointUrlPattern: string;
  requestMethod: HttpMethod;
  /** Query parameters (templates), encoded and appended to the URL; null in configurations older than them. */
  queryParams: { key: string; value: string }[] | null;
  /** Header name → value, both templates. */
  headers: Record<string, string> | null;
  /** Time allowed for the whole exchange, in ms; 0 = no limit. */
  readTimeoutMs: number;
  /** Requests this node runs at once; more wait their turn. 0 = no limit. */
  maxParallelRequestsCount: number;
  /** Send data that is a JSON string as its bare text, and the body template without JSON escaping. */
  parseToPlainText: boolean;
  /** Not supported yet (a configuration with a proxy is refused). */
  enableProxy: boolean;
  useSystemProxyProperties: boolean;
  proxyHost: string | null;
  proxyPort: number;
  proxyUser: string | null;
  proxyPassword: string | null;
  credentials: ClientCredentials | null;
  /** Send POST/PUT/PATCH/DELETE without a body. */
  ignoreRequestBody: boolean;
  /** A body built from the message instead of its data (JSON unless parseToPlainText). */
  requestBodyTemplate: string | null;
  /** Largest response body accepted, in KiB. */
  maxInMemoryBufferSizeInKb: number;
}

const METHODS_WITH_BODY = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);
/** ThingsBoard's ceiling for maxInMemoryBufferSizeInKb. */
const MAX_BUFFER_KB = 25_000;
const DEFAULT_BUFFER_KB = 256;

/**
 * The configuration properties ThingsBoard's version 4 keeps; its upgrade drops every other one (the
 * Redis queue settings, `useSimpleClientHttpFactory`, `trimDoubleQuotes` …).
 */
const VERSION_4_PROPERTIES = new Set([
  'restEndpointUrlPattern',
  'requestMethod',
  'headers',
  'readTimeoutMs',
  'maxParallelRequestsCount',
  'parseToPlainText',
  'enableProxy',
  'useSystemProxyProperties',
  'proxyHost',
  'proxyPort',
  'proxyUser',
  'proxyPassword',
  'credentials',
  'ignoreRequestBody',
  'requestBodyTemplate',
  'maxInMemoryBufferSizeInKb',
]);

/** ThingsBoard's configuration history, each step applied in turn from the saved version. */
function upgradeConfig(fromVersion: number, oldConfig: Record<string, unknown>): Record<string, unknown> {
  const config = { ...oldConfig };
  if (fromVersion < 1 && !('parseToPlainText' in config) && 'trimDoubleQuotes' in config) {
    config.parseToPlainText = Boolean(config.trimDoubleQuotes);
    delete config.trimDoubleQuotes;
  }
  if (fromVersion < 2) for (const legacy of ['useRedisQueueForMsgPersistence', 'trimQueue', 'maxQueueSize']) delete config[legacy];
  if (fromVersion < 3 && !('maxInMemoryBufferSizeInKb' in config)) config.maxInMemoryBufferSizeInKb = DEFAULT_BUFFER_KB;
  if (fromVersion < 4) {
    if (!('requestBodyTemplate' in config)) config.requestBodyTemplate = null;
    for (const key of Object.keys(config)) if (!VERSION_4_PROPERTIES.has(key)) delete config[key];
  }
  return config;
}

/** Spring's name for a status (`NO_CONTENT`), which ThingsBoard puts in the `status` metadata. */
const statusName = (code: number) => (STATUS_CODES[code] ?? String(code)).toUpperCase().replace(/[^A-Z0-9]+/g, '_');

/** ThingsBoard's metadata for an answer's status. */
const statusMetadata = (status: number) => ({
  status: statusName(status),
  statusCode: String(status),
  statusReason: STATUS_CODES[status] ?? '',
});

/** Response headers as metadata: one value as it is, several (Set-Cookie) as a JSON array. */
function headersMetadata(headers: Headers): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of headers) if (name !== 'set-cookie') metadata[name] = value;
  const cookies = headers.getSetCookie();
  if (cookies.length) metadata['set-cookie'] = cookies.length === 1 ? cookies[0] : JSON.stringify(cookies);
  return metadata;
}

/** An answer outside 2xx. */
class HttpStatusError extends Error {
  override name = 'HttpStatusError';
}

class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
}

/** The response body as text, refusing bodies beyond the limit without holding more than that in memory. */
async function readBody(response: Response, limitBytes: number): Promise<string> {
  const tooLarge = () =>
    new ResponseTooLargeError(
      `Exceeded limit on max bytes to buffer : ${limitBytes}; raise "maxInMemoryBufferSizeInKb" if such answers are expected`,
    );
  if (Number(response.headers.get('content-length')) > limitBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > limitBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** At most `max` tasks at a time (0 = no limit); a finished task hands its slot straight to the next one waiting. */
class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.max <= 0 || this.running < this.max) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

function validate(config: RestApiCallConfig): void {
  if (!config.restEndpointUrlPattern?.trim())
    throw new Error('Set "restEndpointUrlPattern" to the URL to call, e.g. http://host/api/${deviceName}');
  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(config.requestMethod)) {
    throw new Error(`"requestMethod" ${JSON.stringify(config.requestMethod)} is not supported: use GET, POST, PUT, PATCH or DELETE`);
  }
  if (config.enableProxy) throw new Error('HTTP proxies are not supported yet: turn off "enableProxy"');
  if (config.maxInMemoryBufferSizeInKb > MAX_BUFFER_KB) {
    throw new Error(`"maxInMemoryBufferSizeInKb" is above the limit of ${MAX_BUFFER_KB} KB: lower it`);
  }
  if (!(config.readTimeoutMs >= 0)) throw new Error('Set "readTimeoutMs" to 0 (no limit) or more');
  basicCredentials(config.credentials);
}

class RestApiCall {
  private readonly limit: ConcurrencyLimit;
  private readonly authorization: string | null;
  private readonly bufferLimitBytes: number;

  constructor(private readonly config: RestApiCallConfig) {
    this.limit = new ConcurrencyLimit(config.maxParallelRequestsCount);
    const basic = basicCredentials(config.credentials);
    this.authorization = basic && `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
    this.bufferLimitBytes = (config.maxInMemoryBufferSizeInKb > 0 ? config.maxInMemoryBufferSizeInKb : DEFAULT_BUFFER_KB) * 1024;
  }

  async onMsg(msg: RuleMsg, ctx: RuleNodeContext): Promise<void> {
    const method = this.config.requestMethod;
    let url = this.config.restEndpointUrlPattern;
    let answer: { response: Response; body: string };
    try {
      url = this.urlFor(msg);
      const body = METHODS_WITH_BODY.has(method) && !this.config.ignoreRequestBody ? this.bodyFor(msg) : undefined;
      const headers = this.headersFor(msg, body);
      answer = await this.limit.run(async () => {
        // The timeout starts when the request goes out, not while it waits for a free slot.
        const signal = this.config.readTimeoutMs > 0 ? AbortSignal.timeout(this.config.readTimeoutMs) : undefined;
        const response = await fetch(url, { method, headers, body: body?.text, signal, redirect: 'manual' });
        return { response, body: await readBody(response, this.bufferLimitBytes) };
      });
    } catch (e) {
      const error = this.explain(e, `${method} ${url}`);
      ctx.tellFailure(ctx.transformMsg(msg, { metadata: { ...msg.metadata, error: errorMetadata(error) } }), error);
      return;
    }
    this.answer(msg, ctx, answer.response, answer.body, `${method} ${url}`);
  }

  private urlFor(msg: RuleMsg): string {
    const text = fillTemplate(this.config.restEndpointUrlPattern, msg);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error(`Invalid request URL '${text}': it must be absolute, like http://host:8080/api/path`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Invalid request URL '${text}': use http:// or https://`);
    for (const { key, value } of this.config.queryParams ?? []) url.searchParams.append(fillTemplate(key, msg), fillTemplate(value, msg));
    return url.toString();
  }

  private bodyFor(msg: RuleMsg): { text: string; contentType: string } {
    const plain = this.config.parseToPlainText;
    const template = this.config.requestBodyTemplate;
    if (template?.trim()) {
      const text = fillTemplate(template, msg, { escapeJson: !plain });
      if (plain) return { text, contentType: 'text/plain;charset=UTF-8' };
      try {
        JSON.parse(text);
      } catch {
        throw new Error(`Request body template produced invalid JSON: ${text}`);
      }
      return { text, contentType: 'application/json' };
    }
    if (plain) return { text: toPlainText(msg.data), contentType: 'text/plain;charset=UTF-8' };
    requireJsonData(msg, 'the request body is sent as JSON; turn on "parseToPlainText" to send other data as text');
    return { text: msg.data, contentType: 'application/json' };
  }

  private headersFor(msg: RuleMsg, body: { contentType: string } | undefined): Headers {
    const headers = new Headers();
    for (const [name, value] of Object.entries(this.config.headers ?? {}))
      headers.append(fillTemplate(name, msg), fillTemplate(value, msg));
    if (this.authorization) headers.append('Authorization', this.authorization);
    if (body && !headers.has('content-type')) headers.set('Content-Type', body.contentType);
    return headers;
  }

  /** 2xx → Success with the answer as data; anything else → Failure with ThingsBoard's status metadata. */
  private answer(msg: RuleMsg, ctx: RuleNodeContext, response: Response, body: string, request: string): void {
    const { status } = response;
    if (status >= 200 && status < 300) {
      const metadata = { ...msg.metadata, ...statusMetadata(status), ...headersMetadata(response.headers) };
      ctx.tellSuccess(ctx.transformMsg(msg, { metadata, data: body || '{}' }));
      return;
    }
    if (status >= 400) {
      const statusText = response.statusText || STATUS_CODES[status] || '';
      const error = new HttpStatusError(`${status} ${statusText} from ${request}`);
      const metadata = {
        ...msg.metadata,
        error: errorMetadata(error),
        status: statusText,
        statusCode: String(status),
        error_body: body,
      };
      ctx.tellFailure(ctx.transformMsg(msg, { metadata }), error);
      return;
    }
    // Redirects are not followed (as in ThingsBoard): the answer goes down Failure with its headers.
    const metadata = { ...msg.metadata, ...statusMetadata(status), error_body: body, ...headersMetadata(response.headers) };
    ctx.tellFailure(
      ctx.transformMsg(msg, { metadata }),
      `${request} answered ${status} ${response.statusText}; redirects are not followed, call the final URL`,
    );
  }

  /** A clear error for a request that got no usable answer. */
  private explain(e: unknown, request: string): Error {
    if (!(e instanceof Error)) return new Error(String(e));
    if (e.name === 'TimeoutError') {
      const timeout = new Error(`${request} got no complete answer within ${this.config.readTimeoutMs} ms ("readTimeoutMs")`);
      timeout.name = 'TimeoutError';
      return timeout;
    }
    // fetch reports network failures as "fetch failed" with the reason as the cause.
    if (e.message === 'fetch failed' && e.cause instanceof Error) {
      const cause = new Error(`${request} failed: ${e.cause.message}; check the URL and that the server is reachable`);
      cause.name = e.cause.name;
      return cause;
    }
    return e;
  }
}

/** "rest api call": sends the message to a REST endpoint and continues with the answer. */
export const restApiCallNode: RuleNodeDescriptor<RestApiCallConfig> = {
  type: 'core/rest-api-call',
  category: 'external',
  name: 'rest api call',
  description:
    'Calls an external REST endpoint with the message (or a body template) and continues with the answer as data; status, status code, reason and response headers go into the metadata.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      restEndpointUrlPattern: { type: 'string', minLength: 1, title: 'Endpoint URL pattern' },
      requestMethod: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], title: 'Request method' },
      queryParams: {
        type: ['array', 'null'],
        title: 'Query parameters',
        items: {
          type: 'object',
          properties: { key: { type: 'string', title: 'Name' }, value: { type: 'string', title: 'Value' } },
          required: ['key', 'value'],
        },
      },
      headers: { type: ['object', 'null'], additionalProperties: { type: 'string' }, title: 'Headers' },
      readTimeoutMs: { type: 'integer', minimum: 0, title: 'Timeout in ms (0: none)' },
      maxParallelRequestsCount: { type: 'integer', minimum: 0, title: 'Max parallel requests (0: no limit)' },
      parseToPlainText: { type: 'boolean', title: 'Parse to plain text' },
      ignoreRequestBody: { type: 'boolean', title: 'Send without a request body' },
      requestBodyTemplate: { type: ['string', 'null'], title: 'Request body template (instead of the message data)' },
      maxInMemoryBufferSizeInKb: { type: 'integer', minimum: 1, maximum: MAX_BUFFER_KB, title: 'Max response size (KB)' },
      credentials: credentialsSchema,
      enableProxy: { type: 'boolean', title: 'Use a proxy (not supported yet)' },
      useSystemProxyProperties: { type: 'boolean', title: 'Use system proxy properties' },
      proxyHost: { type: ['string', 'null'], title: 'Proxy host' },
      proxyPort: { type: 'integer', title: 'Proxy port' },
      proxyUser: { type: ['string', 'null'], title: 'Proxy user' },
      proxyPassword: { type: ['string', 'null'], title: 'Proxy password' },
    },
    required: ['restEndpointUrlPattern', 'requestMethod'],
  },
  defaultConfig: {
    restEndpointUrlPattern: 'http://localhost/api',
    requestMethod: 'POST',
    queryParams: [],
    headers: { 'Content-Type': 'application/json' },
    readTimeoutMs: 0,
    maxParallelRequestsCount: 0,
    parseToPlainText: false,
    enableProxy: false,
    useSystemProxyProperties: false,
    proxyHost: null,
    proxyPort: 0,
    proxyUser: null,
    proxyPassword: null,
    credentials: ANONYMOUS,
    ignoreRequestBody: false,
    requestBodyTemplate: null,
    maxInMemoryBufferSizeInKb: DEFAULT_BUFFER_KB,
  },
  configVersion: 4,
  upgrade: upgradeConfig,
  thingsboardClass: 'org.thingsboard.rule.engine.rest.TbRestApiCallNode',
  icon: 'http',
  create(config) {
    validate(config);
    const call = new RestApiCall(config);
    return { onMsg: (msg, ctx) => call.onMsg(msg, ctx) };
  },
};
