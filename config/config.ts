/**
 * Warden's configuration: one typed object, read from the environment (and optional flags),
 * validated at startup with every problem reported at once. Defaults are named constants and
 * secure: the HTTP server binds to loopback, the embedded engine keeps data on local disk.
 *
 * Mode follows from what is configured: `KAFKA_BROKERS` set → distributed (Kafka transport),
 * else embedded (in-process queue). `CLICKHOUSE_URL` set → ClickHouse server over HTTP, else the
 * embedded engine with its data under `WARDEN_DATA_DIR`.
 */
import os from 'node:os';
import path from 'node:path';
import { PermanentError, WardenError } from '../lib/errors.js';
import { loadWebhookEndpoints, type WebhookEndpoint } from '../respond/kill-switch/webhook-endpoints.js';
import type { Encoding } from '../receive/transport/transport.js';

export const DEFAULT_HTTP_HOST = '127.0.0.1';
export const DEFAULT_HTTP_PORT = 4318;
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
/** Largest OTLP body after gunzip: one request cannot make the receiver hold more. */
export const DEFAULT_MAX_DECODED_BYTES = 16 * 1024 * 1024;
/** Time a client has to send a whole request (headers and body); a trickled body is cut off. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_DATA_DIR = '.warden-data';
export const DEFAULT_DATABASE = 'warden';
export const DEFAULT_TTL_DAYS = 90;
export const DEFAULT_QUEUE_CAPACITY = 20_000;
/** Bytes the in-process queue may hold (embedded mode); past it requests get 429. */
export const DEFAULT_QUEUE_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_STORAGE_NICE = 10;
/** How long a partition may go without storing, after a failure, before `/readyz` says not ready. */
export const DEFAULT_READY_MAX_STORAGE_STALL_MS = 15_000;
export const DEFAULT_GROUP_ID = 'warden';
export const DEFAULT_TRACES_TOPIC = 'otlp_spans';
export const DEFAULT_LOGS_TOPIC = 'otlp_logs';
export const DEFAULT_DEAD_LETTER_TOPIC = 'warden_dead_letter';
export const DEFAULT_REVOCATION_TOPIC = 'warden_revocations';
/** Sessions active within this window are rebuilt from ClickHouse at start. */
export const DEFAULT_REBUILD_MINUTES = 30;
/** Live sessions (with their detector state) in memory, all tenants together and per tenant. */
export const DEFAULT_MAX_SESSIONS = 10_000;
export const DEFAULT_MAX_SESSIONS_PER_TENANT = 5_000;
/** Declarations of evicted sessions kept in memory (~500 bytes each), all tenants and per tenant. */
export const DEFAULT_MAX_PARKED_SESSIONS = 100_000;
export const DEFAULT_MAX_PARKED_PER_TENANT = 25_000;
/** Time an operator query (`POST /api/v1/query`) may run before ClickHouse stops it. */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
/** Rows an operator query returns at most (the answer says when more were cut off). */
export const DEFAULT_QUERY_MAX_ROWS = 10_000;

export interface WardenConfig {
  mode: 'embedded' | 'distributed';
  http: {
    /** Interface to bind; loopback unless deliberately opened. */
    host: string;
    port: number;
    /** Largest accepted request body, compressed or not. */
    bodyLimitBytes: number;
    /** Largest OTLP body once gunzipped (a larger one is refused with 413 as soon as it passes). */
    maxDecodedBytes: number;
    /** Milliseconds a client has to send a whole request, headers and body (408 after). */
    requestTimeoutMs: number;
    /**
     * Whether OTLP ingest requires a bearer token. Default: required unless the server is bound
     * to loopback, where only local processes can reach it.
     */
    ingestRequiresToken: boolean;
  };
  /** Directory for the embedded engine's data and the generated token file. */
  dataDir: string;
  /** YAML file of API tokens (`tokens: [{token, tenant, roles}]`); generated when absent. */
  tokensFile: string;
  clickhouse: {
    /** Server URL; empty means the embedded engine. */
    url: string;
    database: string;
    username: string;
    password: string;
    /** Days audit events are kept (ClickHouse TTL). */
    ttlDays: number;
  };
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    topics: { traces: string; logs: string; deadLetter: string };
    encodings: { traces: Encoding; logs: Encoding };
    /** Idempotent produce (needs a broker that serves producer ids; on by default). */
    idempotent: boolean;
  };
  /** Capacity of the in-process queue (embedded mode), in messages. */
  queueCapacity: number;
  /** Bound on the bytes of the in-process queue (embedded mode). */
  queueMaxBytes: number;
  /**
   * Write-ahead log of the in-process queue (embedded mode): a request answered 200 survives a
   * crash. `fsync`: 'always' syncs each group of requests before answering; 'never' only writes.
   */
  wal: { enabled: boolean; fsync: 'always' | 'never' };
  /** Nice value of embedded ClickHouse's threads, so detection gets the CPU first (0 = off). */
  storageNice: number;
  /** `/readyz` answers 503 once a partition has gone this long without storing after a failure. */
  readyMaxStorageStallMs: number;
  /** Decode and normalize on a worker thread (else on the main thread). */
  normalizeWorker: boolean;
  logLevel: string;
  detection: {
    /** Detection policy YAML; empty means the shipped default policy. */
    policyFile: string;
    /** Sessions active within this many minutes are rebuilt from ClickHouse at start. */
    rebuildMinutes: number;
    /** Names this instance on the revocation topic (distributed mode). */
    instanceId: string;
    revocationTopic: string;
    /**
     * Bounds of detector state in memory: live sessions per tenant and in all (past the total,
     * the tenant holding the most gives one up), and the declarations of evicted sessions kept
     * in memory before they spill to ClickHouse (reloaded on the session's next event).
     */
    sessions: { maxSessions: number; maxSessionsPerTenant: number; maxParked: number; maxParkedPerTenant: number };
  };
  /** Kill-switch webhook endpoints (WARDEN_WEBHOOK_URL/SECRET or WARDEN_WEBHOOKS_FILE). */
  webhooks: WebhookEndpoint[];
  /** Bounds of operator queries (`POST /api/v1/query`, `warden query`). */
  query: { timeoutMs: number; maxRows: number };
}

type Env = Record<string, string | undefined>;

const ENCODINGS: readonly Encoding[] = ['otlp_proto', 'otlp_json'];
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Reads the environment into a config, collecting every problem before failing. */
export function loadConfig(env: Env = process.env): WardenConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const str = (name: string, fallback: string): string => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  };
  const encoding = (name: string): Encoding => {
    const raw = str(name, 'otlp_proto');
    if (!(ENCODINGS as readonly string[]).includes(raw)) {
      problems.push(`${name}=${JSON.stringify(raw)} must be one of ${ENCODINGS.join(', ')}`);
      return 'otlp_proto';
    }
    return raw as Encoding;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
    return fallback;
  };

  const host = str('WARDEN_HTTP_HOST', DEFAULT_HTTP_HOST);
  const dataDir = path.resolve(str('WARDEN_DATA_DIR', DEFAULT_DATA_DIR));
  const brokers = str('KAFKA_BROKERS', '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) problems.push(`KAFKA_BROKERS entry ${JSON.stringify(broker)} must be host:port`);
  }
  const url = str('CLICKHOUSE_URL', '');
  if (url !== '') {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push(`CLICKHOUSE_URL must be http(s), got ${parsed.protocol}`);
    } catch {
      problems.push(`CLICKHOUSE_URL=${JSON.stringify(url)} is not a URL`);
    }
  }
  const database = str('CLICKHOUSE_DATABASE', DEFAULT_DATABASE);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) problems.push(`CLICKHOUSE_DATABASE=${JSON.stringify(database)} must be an identifier`);
  const walFsync = (): 'always' | 'never' => {
    const value = str('WARDEN_WAL_FSYNC', 'always');
    if (value === 'always' || value === 'never') return value;
    problems.push(`WARDEN_WAL_FSYNC=${JSON.stringify(value)} must be always or never`);
    return 'always';
  };
  const logLevel = str('WARDEN_LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`WARDEN_LOG_LEVEL=${JSON.stringify(logLevel)} must be one of ${LOG_LEVELS.join(', ')}`);

  const topics = {
    traces: str('KAFKA_TOPIC_SPANS', DEFAULT_TRACES_TOPIC),
    logs: str('KAFKA_TOPIC_LOGS', DEFAULT_LOGS_TOPIC),
    deadLetter: str('KAFKA_TOPIC_DEAD_LETTER', DEFAULT_DEAD_LETTER_TOPIC),
  };
  if (new Set(Object.values(topics)).size !== 3) problems.push('KAFKA_TOPIC_SPANS, KAFKA_TOPIC_LOGS and KAFKA_TOPIC_DEAD_LETTER must differ');

  let webhooks: WebhookEndpoint[] = [];
  try {
    webhooks = loadWebhookEndpoints(env);
  } catch (err) {
    const found = err instanceof WardenError ? (err.details.problems as string[] | undefined) : undefined;
    problems.push(...(found ?? [String(err)]));
  }

  const config: WardenConfig = {
    mode: brokers.length > 0 ? 'distributed' : 'embedded',
    http: {
      host,
      port: int('WARDEN_HTTP_PORT', DEFAULT_HTTP_PORT, 0, 65535),
      bodyLimitBytes: int('WARDEN_BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, 1024, 512 * 1024 * 1024),
      maxDecodedBytes: int('WARDEN_MAX_DECODED_BYTES', DEFAULT_MAX_DECODED_BYTES, 1024, 512 * 1024 * 1024),
      requestTimeoutMs: int('WARDEN_HTTP_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 100, 3_600_000),
      ingestRequiresToken: bool('WARDEN_INGEST_REQUIRE_TOKEN', !isLoopback(host)),
    },
    dataDir,
    tokensFile: path.resolve(str('WARDEN_TOKENS_FILE', path.join(dataDir, 'tokens.yaml'))),
    clickhouse: {
      url,
      database,
      username: str('CLICKHOUSE_USER', 'default'),
      password: env.CLICKHOUSE_PASSWORD ?? '',
      ttlDays: int('WARDEN_TTL_DAYS', DEFAULT_TTL_DAYS, 1, 36500),
    },
    kafka: {
      brokers,
      clientId: str('KAFKA_CLIENT_ID', 'warden'),
      groupId: str('KAFKA_GROUP_ID', DEFAULT_GROUP_ID),
      topics,
      encodings: { traces: encoding('KAFKA_ENCODING_SPANS'), logs: encoding('KAFKA_ENCODING_LOGS') },
      idempotent: bool('KAFKA_IDEMPOTENT', true),
    },
    queueCapacity: int('WARDEN_QUEUE_CAPACITY', DEFAULT_QUEUE_CAPACITY, 10, 10_000_000),
    queueMaxBytes: int('WARDEN_QUEUE_MAX_BYTES', DEFAULT_QUEUE_MAX_BYTES, 1024 * 1024, 64 * 1024 * 1024 * 1024),
    wal: { enabled: bool('WARDEN_WAL', true), fsync: walFsync() },
    storageNice: int('WARDEN_STORAGE_NICE', DEFAULT_STORAGE_NICE, 0, 19),
    readyMaxStorageStallMs: int('WARDEN_READY_MAX_STORAGE_STALL_MS', DEFAULT_READY_MAX_STORAGE_STALL_MS, 1_000, 3_600_000),
    normalizeWorker: bool('WARDEN_NORMALIZE_WORKER', true),
    logLevel,
    detection: {
      policyFile: str('WARDEN_POLICY_FILE', ''),
      rebuildMinutes: int('WARDEN_REBUILD_MINUTES', DEFAULT_REBUILD_MINUTES, 0, 7 * 24 * 60),
      instanceId: str('WARDEN_INSTANCE_ID', os.hostname()),
      revocationTopic: str('KAFKA_TOPIC_REVOCATIONS', DEFAULT_REVOCATION_TOPIC),
      sessions: {
        maxSessions: int('WARDEN_MAX_SESSIONS', DEFAULT_MAX_SESSIONS, 1, 10_000_000),
        maxSessionsPerTenant: int('WARDEN_MAX_SESSIONS_PER_TENANT', DEFAULT_MAX_SESSIONS_PER_TENANT, 1, 10_000_000),
        maxParked: int('WARDEN_MAX_PARKED_SESSIONS', DEFAULT_MAX_PARKED_SESSIONS, 1, 100_000_000),
        maxParkedPerTenant: int('WARDEN_MAX_PARKED_PER_TENANT', DEFAULT_MAX_PARKED_PER_TENANT, 1, 100_000_000),
      },
    },
    webhooks,
    query: {
      timeoutMs: int('WARDEN_QUERY_TIMEOUT_MS', DEFAULT_QUERY_TIMEOUT_MS, 100, 600_000),
      maxRows: int('WARDEN_QUERY_MAX_ROWS', DEFAULT_QUERY_MAX_ROWS, 1, 1_000_000),
    },
  };
  if (problems.length > 0) {
    throw new PermanentError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      details: { problems },
    });
  }
  return config;
}
