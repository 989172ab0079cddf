/**
 * Every setting Edgewise reads, in one table. The loader parses and validates them from the environment;
 * `npm run config:table --workspace backend` prints this table as Markdown for the README.
 * Names are fixed by design.md ("Configuration names") so scripts, docs and compose files agree.
 */
export type SettingKind = 'string' | 'int' | 'port' | 'bool' | 'url' | 'duration-ms' | 'enum';

export interface SettingSpec {
  env: string;
  kind: SettingKind;
  default: string | undefined;
  description: string;
  values?: readonly string[];
  min?: number;
  secret?: boolean;
}

export const SETTINGS = {
  dataDir: {
    env: 'DATA_DIR',
    kind: 'string',
    default: './data',
    description: 'SQLite file, local durable queue, OTA binaries, installed plugins',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    kind: 'url',
    default: undefined,
    description: '`postgres://…` switches storage from SQLite to PostgreSQL',
    secret: true,
  },
  redisUrl: {
    env: 'REDIS_URL',
    kind: 'url',
    default: undefined,
    description: 'switches rule-engine queues from the local durable queue to BullMQ on this Redis',
    secret: true,
  },
  httpHost: { env: 'HTTP_HOST', kind: 'string', default: '0.0.0.0', description: 'address the HTTP server binds to' },
  httpPort: {
    env: 'HTTP_PORT',
    kind: 'port',
    default: '8080',
    description: 'REST API, WebSocket, admin UI, HTTP device API (`0` picks a free port)',
  },
  httpMaxBodyBytes: {
    env: 'HTTP_MAX_BODY_BYTES',
    kind: 'int',
    default: '52428800',
    min: 1024,
    description: 'largest accepted request body; larger ones get 413',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    kind: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'pino log level',
  },
  logPretty: { env: 'LOG_PRETTY', kind: 'bool', default: 'false', description: 'human-readable logs instead of JSON lines' },
  jwtSecret: {
    env: 'JWT_SECRET',
    kind: 'string',
    default: undefined,
    description: 'signing key for access and refresh tokens; generated once into the data directory when unset',
    secret: true,
  },
  jwtAccessTtlMs: {
    env: 'JWT_ACCESS_TTL_MS',
    kind: 'duration-ms',
    default: '9000000',
    min: 1000,
    description: 'access token lifetime (ThingsBoard: 9 000 s)',
  },
  jwtRefreshTtlMs: {
    env: 'JWT_REFRESH_TTL_MS',
    kind: 'duration-ms',
    default: '604800000',
    min: 1000,
    description: 'refresh token lifetime (ThingsBoard: 604 800 s)',
  },
  loginMaxAttempts: {
    env: 'LOGIN_MAX_ATTEMPTS',
    kind: 'int',
    default: '10',
    min: 1,
    description: 'failed logins per account within the window before logins answer 429 (five times as many per client address)',
  },
  loginWindowMs: {
    env: 'LOGIN_WINDOW_MS',
    kind: 'duration-ms',
    default: '60000',
    min: 1000,
    description: 'window of the login rate limit',
  },
  sysadminEmail: {
    env: 'SYSADMIN_EMAIL',
    kind: 'string',
    default: 'sysadmin@thingsboard.org',
    description: 'system administrator created on first start',
  },
  sysadminPassword: {
    env: 'SYSADMIN_PASSWORD',
    kind: 'string',
    default: 'sysadmin',
    description: 'its password; the log warns while the account still accepts the demo password',
    secret: true,
  },
  tenantAdminEmail: {
    env: 'TENANT_ADMIN_EMAIL',
    kind: 'string',
    default: 'tenant@thingsboard.org',
    description: 'tenant administrator of the default tenant created on first start',
  },
  tenantAdminPassword: {
    env: 'TENANT_ADMIN_PASSWORD',
    kind: 'string',
    default: 'tenant',
    description: 'its password; the log warns while the account still accepts the demo password',
    secret: true,
  },
  tsWriteMaxBatch: {
    env: 'TS_WRITE_MAX_BATCH',
    kind: 'int',
    default: '20000',
    min: 1,
    description: 'most data points one telemetry transaction writes (group commit flushes whatever has arrived, up to this)',
  },
  tsMaxIntervals: {
    env: 'TS_MAX_INTERVALS',
    kind: 'int',
    default: '700',
    min: 1,
    description: 'most aggregation buckets one history query may ask for',
  },
  mqttEnabled: { env: 'MQTT_ENABLED', kind: 'bool', default: 'true', description: 'MQTT device and gateway API' },
  mqttHost: { env: 'MQTT_HOST', kind: 'string', default: '0.0.0.0', description: 'address the MQTT listeners bind to' },
  mqttPort: { env: 'MQTT_PORT', kind: 'port', default: '1883', description: 'MQTT over TCP' },
  mqttsPort: {
    env: 'MQTTS_PORT',
    kind: 'port',
    default: '8883',
    description: 'MQTT over TLS (only when MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE are set)',
  },
  mqttWsEnabled: {
    env: 'MQTT_WS_ENABLED',
    kind: 'bool',
    default: 'false',
    description: 'MQTT over WebSocket (any path, sub-protocol `mqtt`) on MQTT_WS_PORT',
  },
  mqttWsPort: { env: 'MQTT_WS_PORT', kind: 'port', default: '8083', description: 'MQTT over WebSocket, when MQTT_WS_ENABLED=true' },
  mqttTlsCertFile: {
    env: 'MQTT_TLS_CERT_FILE',
    kind: 'string',
    default: undefined,
    description: 'PEM server certificate (chain) for MQTTS',
  },
  mqttTlsKeyFile: { env: 'MQTT_TLS_KEY_FILE', kind: 'string', default: undefined, description: 'PEM private key for MQTTS' },
  mqttTlsCaFile: {
    env: 'MQTT_TLS_CA_FILE',
    kind: 'string',
    default: undefined,
    description: 'PEM CA bundle offered for client certificates (X.509 device auth)',
  },
  mqttMaxPayloadBytes: {
    env: 'MQTT_MAX_PAYLOAD_BYTES',
    kind: 'int',
    default: '65536',
    min: 1,
    description: 'largest PUBLISH payload; larger closes the connection (ThingsBoard default)',
  },
  httpTransportEnabled: {
    env: 'HTTP_TRANSPORT_ENABLED',
    kind: 'bool',
    default: 'true',
    description: 'HTTP device API (`/api/v1/{token}/…`); the REST API stays on either way',
  },
  httpTransportMaxPayloadBytes: {
    env: 'HTTP_TRANSPORT_MAX_PAYLOAD_BYTES',
    kind: 'int',
    default: '52428800',
    min: 1,
    description: 'largest HTTP device API body; larger ones get 413 (ThingsBoard default)',
  },
  httpTransportRpcMaxPayloadBytes: {
    env: 'HTTP_TRANSPORT_RPC_MAX_PAYLOAD_BYTES',
    kind: 'int',
    default: '65536',
    min: 1,
    description: 'largest body on `/api/v1/{token}/rpc/…`; larger ones get 413 (ThingsBoard default)',
  },
  httpTransportRequestTimeoutMs: {
    env: 'HTTP_TRANSPORT_REQUEST_TIMEOUT_MS',
    kind: 'duration-ms',
    default: '60000',
    min: 1,
    description: 'HTTP device API: long polls without `timeout` and client-side RPCs answer 408 after this long',
  },
  clientRpcTimeoutMs: {
    env: 'CLIENT_RPC_TIMEOUT_MS',
    kind: 'duration-ms',
    default: '60000',
    min: 1,
    description: 'how long a device-to-server RPC waits for a reply before the device gets {"error":"timeout"}',
  },
  deviceInactivityTimeoutMs: {
    env: 'DEVICE_INACTIVITY_TIMEOUT_MS',
    kind: 'duration-ms',
    default: '600000',
    min: 1,
    description: 'a device without activity for this long becomes inactive (per-device SERVER_SCOPE attribute inactivityTimeout overrides)',
  },
  deviceStateCheckIntervalMs: {
    env: 'DEVICE_STATE_CHECK_INTERVAL_MS',
    kind: 'duration-ms',
    default: '60000',
    min: 10,
    description: 'how often devices are checked for inactivity',
  },
  deviceActivityReportMs: {
    env: 'DEVICE_ACTIVITY_REPORT_MS',
    kind: 'duration-ms',
    default: '3000',
    min: 1,
    description: 'lastActivityTime is written at most this often per device',
  },
  ruleEnginePackSize: {
    env: 'RULE_ENGINE_PACK_SIZE',
    kind: 'int',
    default: '1000',
    min: 1,
    description: 'most messages a queue consumer takes into one pack (processed together, acknowledged together)',
  },
  ruleEnginePacksInFlight: {
    env: 'RULE_ENGINE_PACKS_IN_FLIGHT',
    kind: 'int',
    default: '8',
    min: 1,
    description: 'packs of a BURST/BATCH queue processed at once, so their commits overlap (sequential queues take 1)',
  },
  ruleEngineMaxBuffered: {
    env: 'RULE_ENGINE_MAX_BUFFERED',
    kind: 'int',
    default: '50000',
    min: 1,
    description: 'local queue: waiting messages kept in memory per queue; beyond that they are read back from disk',
  },
  ruleEngineMaxExecutionsPerMsg: {
    env: 'RULE_ENGINE_MAX_EXECUTIONS_PER_MSG',
    kind: 'int',
    default: '1000',
    min: 1,
    description: 'rule-node invocations one message may cause before it fails (stops loops between chains)',
  },
  redisQueuePrefix: {
    env: 'REDIS_QUEUE_PREFIX',
    kind: 'string',
    default: 'edgewise',
    description: 'BullMQ key prefix: every node of one cluster uses the same one',
  },
  ruleEngineQueueLockMs: {
    env: 'RULE_ENGINE_QUEUE_LOCK_MS',
    kind: 'duration-ms',
    default: '10000',
    min: 1000,
    description: 'BullMQ: a pack whose node died is redelivered after this long',
  },
  scriptTimeoutMs: {
    env: 'SCRIPT_TIMEOUT_MS',
    kind: 'duration-ms',
    default: '500',
    min: 1,
    description: 'longest one call of a user script (rule-node scripts, script test) may run before it fails with a timeout',
  },
  scriptMemoryLimitMb: {
    env: 'SCRIPT_MEMORY_LIMIT_MB',
    kind: 'int',
    default: '128',
    min: 8,
    description: 'memory of the user-script sandbox; a script that needs more fails (at least 8)',
  },
  eventsTtlDays: {
    env: 'EVENTS_TTL_DAYS',
    kind: 'int',
    default: '7',
    min: 0,
    description: 'rule-engine events (debug, lifecycle, errors, statistics) older than this many days are deleted; 0 keeps them',
  },
  eventsMaxPerEntity: {
    env: 'EVENTS_MAX_PER_ENTITY',
    kind: 'int',
    default: '10000',
    min: 0,
    description: 'newest events kept per entity (rule node, chain) and event type; trimmed once it grew by a tenth; 0 = no cap',
  },
  eventsCleanupIntervalMs: {
    env: 'EVENTS_CLEANUP_INTERVAL_MS',
    kind: 'duration-ms',
    default: '60000',
    min: 1000,
    description: 'how often expired and surplus events are deleted (in small chunks)',
  },
  eventsBufferSize: {
    env: 'EVENTS_BUFFER_SIZE',
    kind: 'int',
    default: '20000',
    min: 1,
    description: 'events waiting to be written; beyond this they are dropped and counted (logged once per episode)',
  },
  eventsDebugRateLimit: {
    env: 'EVENTS_DEBUG_RATE_LIMIT',
    kind: 'int',
    default: '50000',
    min: 0,
    description: 'rule-node debug events per tenant per EVENTS_DEBUG_RATE_LIMIT_WINDOW_MS (ThingsBoard: 50 000 per hour); 0 = no limit',
  },
  eventsDebugRateLimitWindowMs: {
    env: 'EVENTS_DEBUG_RATE_LIMIT_WINDOW_MS',
    kind: 'duration-ms',
    default: '3600000',
    min: 1000,
    description: 'window of the debug-event rate limit (refilled evenly over it)',
  },
  shutdownTimeoutMs: {
    env: 'SHUTDOWN_TIMEOUT_MS',
    kind: 'duration-ms',
    default: '10000',
    min: 0,
    description: 'how long SIGTERM waits for in-flight work before closing',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
