/**
 * Every environment variable Warden reads, declared once: a TypeBox schema whose properties are
 * the variables, each with its type and bounds, its default, a description and the mode it
 * applies to. Validation (`read-settings.ts`), the defaults the code uses, `warden start --help`
 * and the README's settings table (`settings-doc.ts`, `npm run docs:config`) all come from here.
 *
 * A setting without a fixed default (`defaultText`) is computed from others in `config.ts`.
 * `client` settings are read by the commands that talk to a running Warden (`warden hook`,
 * `sessions`, `query`, …), not by the service, so `warden start` does not validate them.
 *
 * Variables read only by tests and benchmarks are not settings; `TEST_ONLY_VARIABLES` lists them
 * (config/settings-doc.test.ts checks that every variable any code reads is one or the other).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ENCODINGS } from '../model/encoding.js';
import { CLIENT_DEFAULTS } from './client-defaults.js';

export type SettingMode = 'all' | 'embedded' | 'distributed' | 'client';

/** Metadata every setting carries beside its TypeBox type. */
interface Meta {
  description: string;
  mode: SettingMode;
  /** What the default is when it is computed from other settings (no fixed `default`). */
  defaultText?: string;
  /** A regular expression a text value must match, and what such a value looks like. */
  pattern?: string;
  expected?: string;
  /** Never printed, and taken as given (not trimmed). */
  secret?: boolean;
}

const MIB = 1024 * 1024;
const int = (value: number, minimum: number, maximum: number, meta: Meta) => Type.Integer({ default: value, minimum, maximum, ...meta });
const bool = (value: boolean, meta: Meta) => Type.Boolean({ default: value, ...meta });
const text = (value: string, meta: Meta) => Type.String({ default: value, ...meta });
const oneOf = <T extends string>(values: readonly T[], value: NoInfer<T>, meta: Meta) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { default: value, ...meta },
  );
/** Computed from other settings when unset: optional, with `defaultText` saying how. */
const computed = <S extends TSchema>(schema: S) => Type.Optional(schema);

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const HOST_PORT = '[^\\s:,]+:\\d{1,5}';

export const SettingsSchema = Type.Object({
  WARDEN_HTTP_HOST: text('127.0.0.1', { mode: 'all', description: 'interface to bind; loopback unless deliberately opened' }),
  WARDEN_HTTP_PORT: int(CLIENT_DEFAULTS.WARDEN_HTTP_PORT, 0, 65535, { mode: 'all', description: 'HTTP port for OTLP, the gate and the operator API' }),
  WARDEN_BODY_LIMIT_BYTES: int(16 * MIB, 1024, 512 * MIB, { mode: 'all', description: 'largest request body as sent, compressed or not' }),
  WARDEN_MAX_DECODED_BYTES: int(16 * MIB, 1024, 512 * MIB, { mode: 'all', description: 'largest OTLP body once gunzipped; past it 413' }),
  WARDEN_HTTP_REQUEST_TIMEOUT_MS: int(30_000, 100, 3_600_000, {
    mode: 'all',
    description: 'time a client has to send a whole request, headers and body; past it 408 and the connection is closed',
  }),
  WARDEN_GRPC: bool(true, { mode: 'all', description: 'OTLP/gRPC receiver (traces, logs; metrics counted, not stored) beside OTLP/HTTP, on WARDEN_HTTP_HOST' }),
  WARDEN_GRPC_PORT: computed(
    Type.Integer({ minimum: 0, maximum: 65535, mode: 'all', description: 'OTLP/gRPC port (0 = ephemeral)', defaultText: '4317; 0 when WARDEN_HTTP_PORT is 0' }),
  ),
  WARDEN_INGEST_REQUIRE_TOKEN: computed(
    Type.Boolean({ mode: 'all', description: 'OTLP ingest requires a bearer token', defaultText: 'true unless bound to loopback' }),
  ),
  WARDEN_DATA_DIR: text(CLIENT_DEFAULTS.WARDEN_DATA_DIR, {
    mode: 'all',
    description: 'embedded ClickHouse data, the queue\'s write-ahead log, the token file, the revocation log and the webhook outbox',
  }),
  WARDEN_TOKENS_FILE: computed(
    Type.String({ mode: 'all', description: 'API tokens YAML (created with one admin token when absent)', defaultText: '<data dir>/tokens.yaml' }),
  ),
  WARDEN_LOG_LEVEL: oneOf(LOG_LEVELS, 'info', { mode: 'all', description: 'log level' }),
  WARDEN_NORMALIZE_WORKER: bool(true, { mode: 'all', description: 'decode and normalize on a worker thread (else on the main thread)' }),
  WARDEN_READY_MAX_STORAGE_STALL_MS: int(15_000, 1_000, 3_600_000, {
    mode: 'all',
    description: '/readyz answers 503 once a partition has gone this long without storing after a failure',
  }),

  CLICKHOUSE_URL: text('', {
    mode: 'all',
    description: 'ClickHouse server URL (http or https); empty: the embedded engine under WARDEN_DATA_DIR',
    pattern: '^$|^https?://\\S+$',
    expected: 'an http(s) URL',
  }),
  CLICKHOUSE_DATABASE: text('warden', { mode: 'all', description: 'database of Warden\'s tables', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', expected: 'an identifier' }),
  CLICKHOUSE_USER: text('default', { mode: 'distributed', description: 'ClickHouse server user (with CLICKHOUSE_URL)' }),
  CLICKHOUSE_PASSWORD: text('', { mode: 'distributed', description: 'ClickHouse server password (with CLICKHOUSE_URL)', secret: true }),
  CLICKHOUSE_CLUSTER: text('', {
    mode: 'distributed',
    description:
      "ClickHouse cluster (a remote_servers name, with Keeper) the migrations create the tables on: ON CLUSTER, Replicated engines with the servers' {shard} and {replica} macros, a Distributed table in front of each, sharded by tenant and session (README, scale model); empty: one server",
    pattern: '^$|^[A-Za-z_][A-Za-z0-9_]*$',
    expected: 'an identifier',
  }),
  WARDEN_TTL_DAYS: int(90, 1, 36_500, { mode: 'all', description: 'days audit events are kept (ClickHouse TTL)' }),
  WARDEN_SESSION_SUMMARY_PERIOD_MS: int(30_000, 1_000, 3_600_000, {
    mode: 'all',
    description:
      "how often the sessions list's finalized rows (session_summary) are folded from the sessions whose events were inserted since; until then the list reads those sessions' activity rows, so it is exact either way and slower the longer the period",
  }),
  WARDEN_INSERT_DELAY_MS: int(1_000, 0, 60_000, {
    mode: 'all',
    description: 'longest an accepted event waits to be gathered into one ClickHouse insert with the events after it (detection never waits for it); larger inserts cost ClickHouse less CPU per event, rows become queryable up to this much later',
  }),
  WARDEN_INSERT_MAX_EVENTS: int(5_000, 100, 1_000_000, {
    mode: 'all',
    description: 'most events gathered into one ClickHouse insert before it is made without waiting out WARDEN_INSERT_DELAY_MS; each insert writes a part to the events table and to each of its views, which the engine merges later',
  }),

  WARDEN_QUEUE_CAPACITY: int(20_000, 10, 10_000_000, { mode: 'embedded', description: 'messages the in-process queue holds' }),
  WARDEN_QUEUE_MAX_BYTES: int(256 * MIB, MIB, 64 * 1024 * MIB, { mode: 'embedded', description: 'bytes the in-process queue may hold; past it requests get 429' }),
  WARDEN_WAL: bool(true, {
    mode: 'embedded',
    description: 'write-ahead log of the in-process queue (<data dir>/queue-wal): a request answered 200 survives a crash',
  }),
  WARDEN_WAL_FSYNC: oneOf(['always', 'never'] as const, 'always', {
    mode: 'embedded',
    description: 'always: each group of requests is synced before it is answered; never: written only (survives a killed process, not a power cut)',
  }),
  WARDEN_NICE: int(5, 0, 19, {
    mode: 'all',
    description:
      "how far Warden yields the CPU to the machine's other programs (agents, their hooks and tools) when they compete for it: the nice value of Warden's session group, when Warden leads its session (detached, a service) and the kernel groups by session (0 = off; Linux)",
  }),
  WARDEN_STORAGE_NICE: int(10, 0, 19, { mode: 'embedded', description: 'nice value of embedded ClickHouse\'s threads, so detection gets the CPU first (0 = off; Linux)' }),
  WARDEN_HEAP_GROWTH_PERCENT: int(200, 0, 1000, {
    mode: 'all',
    description:
      "how far, in percent, Warden's JavaScript heap may grow past what its last full garbage collection kept before the next one: each full collection pauses the event loop (8–20 ms, longer on a busy machine) and every hook call waiting on it, so more growth means fewer pauses for that much more memory (0 = V8's own choice, about 45% under load)",
  }),

  KAFKA_BROKERS: text('', {
    mode: 'distributed',
    description: 'comma-separated host:port list; when set, Warden sends and consumes through Kafka (distributed mode)',
    pattern: `^$|^\\s*${HOST_PORT}\\s*(,\\s*${HOST_PORT}\\s*)*$`,
    expected: 'a comma-separated list of host:port',
  }),
  KAFKA_CLIENT_ID: text('warden', { mode: 'distributed', description: 'Kafka client id' }),
  KAFKA_GROUP_ID: text('warden', { mode: 'distributed', description: 'consumer group' }),
  KAFKA_TOPIC_SPANS: text('otlp_spans', { mode: 'distributed', description: 'topic of OTLP traces' }),
  KAFKA_TOPIC_LOGS: text('otlp_logs', { mode: 'distributed', description: 'topic of OTLP logs' }),
  KAFKA_TOPIC_DEAD_LETTER: text('warden_dead_letter', { mode: 'distributed', description: 'topic of messages that cannot be decoded or stored' }),
  KAFKA_TOPIC_REVOCATIONS: text('warden_revocations', { mode: 'distributed', description: 'topic instances share revocations on' }),
  KAFKA_REKEY: bool(false, {
    mode: 'distributed',
    description:
      "re-key by session first: a stage reads the OTLP topics whatever their keys (the OTel Collector keys by trace id, resource hash or nothing) and re-publishes each session's records to the session topics, which detection reads — turn on when such producers feed more than one instance, so one instance sees all of a session",
  }),
  KAFKA_TOPIC_SESSION_SPANS: text('warden_session_spans', { mode: 'distributed', description: 'with KAFKA_REKEY: topic of traces keyed by session (create it like the OTLP topics)' }),
  KAFKA_TOPIC_SESSION_LOGS: text('warden_session_logs', { mode: 'distributed', description: 'with KAFKA_REKEY: topic of logs keyed by session; its partitions name each session\'s owner' }),
  KAFKA_ENCODING_SPANS: oneOf(ENCODINGS, 'otlp_proto', { mode: 'distributed', description: 'encoding of messages on the traces topic' }),
  KAFKA_ENCODING_LOGS: oneOf(ENCODINGS, 'otlp_proto', { mode: 'distributed', description: 'encoding of messages on the logs topic' }),
  KAFKA_IDEMPOTENT: bool(true, { mode: 'distributed', description: 'idempotent produce (needs a broker that serves producer ids)' }),
  KAFKA_COMPRESSION: oneOf(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const, 'none', {
    mode: 'distributed',
    description: 'codec of the batches Warden produces (its OTLP topics, revocations); zstd needs Node 22.15 or later and is refused at start before that. Warden reads every codec whatever this says',
  }),
  WARDEN_INSTANCE_ID: computed(
    Type.String({ mode: 'distributed', description: 'names this instance on the revocation topic; stable across restarts', defaultText: 'the host name' }),
  ),
  WARDEN_ADVERTISE_URL: computed(
    Type.String({
      mode: 'distributed',
      description: "URL where the other instances reach this one's HTTP API: gate calls for the sessions it owns are forwarded there",
      defaultText: 'http://<WARDEN_HTTP_HOST, or the host name when bound to all interfaces>:<port>',
      pattern: '^https?://\\S+$',
      expected: 'an http(s) URL',
    }),
  ),
  WARDEN_GATE_OWNER_WAIT_MS: int(5_000, 0, 60_000, {
    mode: 'distributed',
    description: "how long a gate call waits for its session's owner (rebalance, owner unreachable) before it is answered fail-closed",
  }),
  WARDEN_GATE_FORWARD_TIMEOUT_MS: int(3_000, 100, 60_000, { mode: 'distributed', description: "longest one gate call forwarded to the session's owner may take" }),
  WARDEN_GATE_GRANT_MINUTES: int(60, 1, 7 * 24 * 60, {
    mode: 'all',
    description:
      "how long an operator's allow-once (POST /api/v1/gate/decisions/:id/allow) stands unused; a grant is stored in ClickHouse and read back with the session by an instance taking it over (restart, rebalance) until it expires or is used",
  }),

  WARDEN_POLICY_FILE: computed(Type.String({ mode: 'all', description: 'detection and gate policy YAML', defaultText: 'the shipped default policy' })),
  WARDEN_REBUILD_MINUTES: int(30, 0, 7 * 24 * 60, { mode: 'all', description: 'sessions active within this many minutes are rebuilt from ClickHouse at start' }),
  WARDEN_MAX_SESSIONS: int(10_000, 1, 10_000_000, {
    mode: 'all',
    description: 'live sessions in memory, all tenants (past it the tenant holding the most gives up its least recently seen)',
  }),
  WARDEN_MAX_SESSIONS_PER_TENANT: int(5_000, 1, 10_000_000, { mode: 'all', description: 'live sessions one tenant may hold' }),
  WARDEN_MAX_PARKED_SESSIONS: int(100_000, 1, 100_000_000, { mode: 'all', description: 'declarations of evicted sessions kept in memory, all tenants' }),
  WARDEN_MAX_PARKED_PER_TENANT: int(25_000, 1, 100_000_000, {
    mode: 'all',
    description: 'per tenant; past it they spill to ClickHouse and are reloaded on the session\'s next event',
  }),

  WARDEN_WEBHOOK_URL: computed(Type.String({ mode: 'all', description: 'kill-switch webhook endpoint (named default); needs WARDEN_WEBHOOK_SECRET', defaultText: 'none' })),
  WARDEN_WEBHOOK_SECRET: computed(
    Type.String({ mode: 'all', description: 'its Standard Webhooks secret: whsec_ + base64 of 24-64 random bytes', defaultText: 'none', secret: true }),
  ),
  WARDEN_WEBHOOKS_FILE: computed(Type.String({ mode: 'all', description: 'YAML file of several webhook endpoints (see respond/kill-switch/README.md)', defaultText: 'none' })),

  WARDEN_QUERY_TIMEOUT_MS: int(10_000, 100, 600_000, { mode: 'all', description: 'time an operator query may run before it is stopped with QUERY_TIMEOUT' }),
  WARDEN_QUERY_MAX_ROWS: int(10_000, 1, 1_000_000, { mode: 'all', description: 'rows an operator query returns at most' }),

  WARDEN_URL: computed(
    Type.String({ mode: 'client', description: 'base URL of the Warden a hook or operator command talks to', defaultText: 'http://127.0.0.1:$WARDEN_HTTP_PORT' }),
  ),
  WARDEN_TOKEN: computed(
    Type.String({ mode: 'client', description: 'bearer token of a hook (ingest role) or operator command', defaultText: 'operator commands: the token file\'s admin token', secret: true }),
  ),
  WARDEN_HOOK_FAIL: oneOf(['closed', 'open'] as const, CLIENT_DEFAULTS.WARDEN_HOOK_FAIL, {
    mode: 'client',
    description: 'what a PreToolUse hook answers when Warden is unreachable, times out or errors',
  }),
  WARDEN_HOOK_TIMEOUT_MS: int(CLIENT_DEFAULTS.WARDEN_HOOK_TIMEOUT_MS, 1, 600_000, { mode: 'client', description: 'time a hook waits for Warden, per request' }),
  WARDEN_HOOK_ASK: oneOf(['ask', 'defer'] as const, 'ask', {
    mode: 'client',
    description: 'shell hook client: how Claude Code is told to stage a call for a person (`defer` for headless `claude -p`)',
  }),
  WARDEN_HOOK_TRANSPORT: oneOf(['auto', 'curl'] as const, 'auto', {
    mode: 'client',
    description: 'shell hook client: `auto` lets bash 4.1+ speak HTTP itself to a Warden on this machine (one program per call), curl elsewhere; `curl` always uses curl',
  }),
  OTEL_SERVICE_NAME: computed(Type.String({ mode: 'client', description: 'agent id a hook\'s events carry', defaultText: 'the adapter\'s, e.g. claude-code' })),
  WARDEN_SESSION_ID: computed(
    Type.String({
      mode: 'client',
      description: 'session of `warden exec` and `warden-shell` commands',
      defaultText: 'one per calling process, generated and printed once',
    }),
  ),
  WARDEN_EXEC_SHELL: text('/bin/sh', { mode: 'client', description: 'shell that runs the command line `warden exec` and `warden-shell` were given, once the gate allows it' }),
});

/**
 * Read by tests, benchmarks and their helpers only, never by Warden: every BENCH_* variable
 * (benchmark sizes and switches, bench/), and these — fuzz sizes and seeds, replay speed, the
 * module-load recorder, container images, the C compiler of the Kafka mock, the golden-file
 * switch, and PATH for the processes tests start.
 */
export const TEST_ONLY_PREFIX = 'BENCH_';
export const TEST_ONLY_VARIABLES: readonly string[] = [
  'WARDEN_FUZZ_CASES',
  'WARDEN_FUZZ_SEED',
  'WARDEN_REPLAY_SPEED',
  'WARDEN_RECORD_LOADS',
  'WARDEN_TEST_LOG',
  'WARDEN_KAFKA_IMAGE',
  'CLICKHOUSE_TEST_IMAGE',
  'CC',
  'UPDATE_GOLDEN',
  'PATH',
];

export type Settings = Static<typeof SettingsSchema>;
export type SettingName = keyof Settings;

/** Settings with a fixed default, by name (the computed ones are optional in `Settings`). */
export type SettingDefaults = { [K in SettingName as undefined extends Settings[K] ? never : K]: Settings[K] };

export const SETTING_DEFAULTS = Object.fromEntries(
  Object.entries(SettingsSchema.properties)
    .filter(([, schema]) => (schema as TSchema).default !== undefined)
    .map(([name, schema]) => [name, (schema as TSchema).default]),
) as SettingDefaults;

export interface SettingInfo {
  name: SettingName;
  schema: TSchema;
  mode: SettingMode;
  description: string;
  /** How the default reads in help and docs. */
  defaultText: string;
  secret: boolean;
}

/** The settings in declaration order, with their metadata. */
export function settingsInfo(): SettingInfo[] {
  return Object.entries(SettingsSchema.properties).map(([name, raw]) => {
    const schema = raw as TSchema & Partial<Meta>;
    return {
      name: name as SettingName,
      schema,
      mode: schema.mode ?? 'all',
      description: schema.description ?? '',
      defaultText: schema.defaultText ?? describeDefault(schema.default),
      secret: schema.secret === true,
    };
  });
}

function describeDefault(value: unknown): string {
  if (value === '') return 'empty';
  if (typeof value === 'number' && value >= MIB && value % MIB === 0) return `${value} = ${value / MIB} MiB`;
  return String(value);
}
