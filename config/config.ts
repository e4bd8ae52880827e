/**
 * Warden's configuration: one typed object, read from the environment (and optional flags),
 * validated at startup with every problem reported at once. Defaults are named constants and
 * secure: the HTTP server binds to loopback, the embedded engine keeps data on local disk.
 *
 * Mode follows from what is configured: `KAFKA_BROKERS` set → distributed (Kafka transport),
 * else embedded (in-process queue). `CLICKHOUSE_URL` set → ClickHouse server over HTTP, else the
 * embedded engine with its data under `WARDEN_DATA_DIR`.
 *
 * Every variable is declared once, with its type, bounds, default and description, in
 * `settings.ts`; this file turns the values read against it into the shape the code uses and
 * checks what spans several settings (distinct topics, webhook endpoints).
 */
import os from 'node:os';
import path from 'node:path';
import { PermanentError, WardenError } from '../lib/errors.js';
import type { Encoding } from '../model/encoding.js';
import { defaultTokensFile } from './client-defaults.js';
import { readSettings } from './read-settings.js';
import { SETTING_DEFAULTS } from './settings.js';
import { loadWebhookEndpoints, type WebhookEndpoint } from './webhook-endpoints.js';

/** Defaults other modules use, named; each is declared once, in the settings schema. */
export const DEFAULT_HTTP_PORT = SETTING_DEFAULTS.WARDEN_HTTP_PORT;
export const DEFAULT_MAX_DECODED_BYTES = SETTING_DEFAULTS.WARDEN_MAX_DECODED_BYTES;
export const DEFAULT_REQUEST_TIMEOUT_MS = SETTING_DEFAULTS.WARDEN_HTTP_REQUEST_TIMEOUT_MS;
/** OTLP/gRPC's registered port; an ephemeral HTTP port (0) makes gRPC's ephemeral too. */
export const DEFAULT_GRPC_PORT = 4317;

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
  /**
   * The OTLP/gRPC receiver, on `http.host`, under the same body limits, tokens and answers as
   * OTLP/HTTP. `port` 0: ephemeral.
   */
  grpc: { enabled: boolean; port: number };
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
    /** How often the session summary job folds touched sessions (ms). */
    summaryPeriodMs: number;
    /** Cluster the migrations create the tables on (ON CLUSTER, Replicated, Distributed); empty: one server. */
    cluster: string;
    /** Longest an event waits to be gathered into one insert with those after it (ms). */
    insertDelayMs: number;
    /** Most events gathered into one insert before it is made. */
    insertMaxEvents: number;
    /**
     * The embedded engine's directory; default `<dataDir>/clickhouse`. Not a setting: for tests
     * that run several instances in one process, sharing one engine as instances share a server.
     */
    dataPath?: string;
  };
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    topics: { traces: string; logs: string; deadLetter: string };
    encodings: { traces: Encoding; logs: Encoding };
    /** Idempotent produce (needs a broker that serves producer ids; on by default). */
    idempotent: boolean;
    /** Codec of the batches Warden produces. */
    compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
    /**
     * Re-key by session first (KAFKA_REKEY): the OTLP topics are read by a first stage that
     * re-publishes each session's records to these topics, which detection reads. Null: detection
     * reads the OTLP topics as producers keyed them.
     */
    rekey: { traces: string; logs: string } | null;
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
  /** Nice value of Warden's session group (lib/session-priority.ts). */
  nice: number;
  /** Growth of the heap between full collections, percent (lib/full-collection.ts; 0 = V8's own). */
  heapGrowthPercent: number;
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
  /**
   * Distributed mode: each gate call is decided by its session's owner. `advertiseUrl`: where the
   * other instances reach this one ('' = derived from the bound host and port); `ownerWaitMs`:
   * how long a call waits for an owner (rebalance, owner unreachable) before it fails closed;
   * `forwardTimeoutMs`: how long one forwarded call may take. `grantMinutes` (every mode): how
   * long an operator's allow-once stands unused.
   */
  gate: { advertiseUrl: string; ownerWaitMs: number; forwardTimeoutMs: number; grantMinutes: number };
}

type Env = Record<string, string | undefined>;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Reads the environment into a config, collecting every problem before failing. */
export function loadConfig(env: Env = process.env): WardenConfig {
  const { settings: s, problems } = readSettings(env);

  const brokers = s.KAFKA_BROKERS.split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const topics = { traces: s.KAFKA_TOPIC_SPANS, logs: s.KAFKA_TOPIC_LOGS, deadLetter: s.KAFKA_TOPIC_DEAD_LETTER };
  if (new Set(Object.values(topics)).size !== 3) problems.push('KAFKA_TOPIC_SPANS, KAFKA_TOPIC_LOGS and KAFKA_TOPIC_DEAD_LETTER must differ');
  const rekey = s.KAFKA_REKEY ? { traces: s.KAFKA_TOPIC_SESSION_SPANS, logs: s.KAFKA_TOPIC_SESSION_LOGS } : null;
  if (rekey && new Set([...Object.values(topics), rekey.traces, rekey.logs]).size !== 5) {
    problems.push('KAFKA_TOPIC_SESSION_SPANS and KAFKA_TOPIC_SESSION_LOGS must differ from each other and from the OTLP and dead-letter topics');
  }

  let webhooks: WebhookEndpoint[] = [];
  try {
    webhooks = loadWebhookEndpoints(env);
  } catch (err) {
    const found = err instanceof WardenError ? (err.details.problems as string[] | undefined) : undefined;
    problems.push(...(found ?? [String(err)]));
  }

  const dataDir = path.resolve(s.WARDEN_DATA_DIR);
  const config: WardenConfig = {
    mode: brokers.length > 0 ? 'distributed' : 'embedded',
    http: {
      host: s.WARDEN_HTTP_HOST,
      port: s.WARDEN_HTTP_PORT,
      bodyLimitBytes: s.WARDEN_BODY_LIMIT_BYTES,
      maxDecodedBytes: s.WARDEN_MAX_DECODED_BYTES,
      requestTimeoutMs: s.WARDEN_HTTP_REQUEST_TIMEOUT_MS,
      ingestRequiresToken: s.WARDEN_INGEST_REQUIRE_TOKEN ?? !isLoopback(s.WARDEN_HTTP_HOST),
    },
    grpc: { enabled: s.WARDEN_GRPC, port: s.WARDEN_GRPC_PORT ?? (s.WARDEN_HTTP_PORT === 0 ? 0 : DEFAULT_GRPC_PORT) },
    dataDir,
    tokensFile: path.resolve(s.WARDEN_TOKENS_FILE ?? defaultTokensFile(dataDir)),
    clickhouse: {
      url: s.CLICKHOUSE_URL,
      database: s.CLICKHOUSE_DATABASE,
      username: s.CLICKHOUSE_USER,
      password: s.CLICKHOUSE_PASSWORD,
      ttlDays: s.WARDEN_TTL_DAYS,
      summaryPeriodMs: s.WARDEN_SESSION_SUMMARY_PERIOD_MS,
      cluster: s.CLICKHOUSE_CLUSTER,
      insertDelayMs: s.WARDEN_INSERT_DELAY_MS,
      insertMaxEvents: s.WARDEN_INSERT_MAX_EVENTS,
    },
    kafka: {
      brokers,
      clientId: s.KAFKA_CLIENT_ID,
      groupId: s.KAFKA_GROUP_ID,
      topics,
      encodings: { traces: s.KAFKA_ENCODING_SPANS, logs: s.KAFKA_ENCODING_LOGS },
      idempotent: s.KAFKA_IDEMPOTENT,
      compression: s.KAFKA_COMPRESSION,
      rekey,
    },
    queueCapacity: s.WARDEN_QUEUE_CAPACITY,
    queueMaxBytes: s.WARDEN_QUEUE_MAX_BYTES,
    wal: { enabled: s.WARDEN_WAL, fsync: s.WARDEN_WAL_FSYNC },
    storageNice: s.WARDEN_STORAGE_NICE,
    nice: s.WARDEN_NICE,
    heapGrowthPercent: s.WARDEN_HEAP_GROWTH_PERCENT,
    readyMaxStorageStallMs: s.WARDEN_READY_MAX_STORAGE_STALL_MS,
    normalizeWorker: s.WARDEN_NORMALIZE_WORKER,
    logLevel: s.WARDEN_LOG_LEVEL,
    detection: {
      policyFile: s.WARDEN_POLICY_FILE ?? '',
      rebuildMinutes: s.WARDEN_REBUILD_MINUTES,
      instanceId: s.WARDEN_INSTANCE_ID ?? os.hostname(),
      revocationTopic: s.KAFKA_TOPIC_REVOCATIONS,
      sessions: {
        maxSessions: s.WARDEN_MAX_SESSIONS,
        maxSessionsPerTenant: s.WARDEN_MAX_SESSIONS_PER_TENANT,
        maxParked: s.WARDEN_MAX_PARKED_SESSIONS,
        maxParkedPerTenant: s.WARDEN_MAX_PARKED_PER_TENANT,
      },
    },
    webhooks,
    query: { timeoutMs: s.WARDEN_QUERY_TIMEOUT_MS, maxRows: s.WARDEN_QUERY_MAX_ROWS },
    gate: { advertiseUrl: s.WARDEN_ADVERTISE_URL ?? '', ownerWaitMs: s.WARDEN_GATE_OWNER_WAIT_MS, forwardTimeoutMs: s.WARDEN_GATE_FORWARD_TIMEOUT_MS, grantMinutes: s.WARDEN_GATE_GRANT_MINUTES },
  };
  if (problems.length > 0) {
    throw new PermanentError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      details: { problems },
    });
  }
  return config;
}
