/**
 * The closed list of error codes. Every error Warden raises (`WardenError` and its kinds) carries
 * one of these, and the type system holds every constructor to the list. Each code has exactly
 * one HTTP status — the HTTP error handler answers with it, whichever route or stage raised the
 * error — and says whether retrying the same operation can help (`retryable`: the stage keeps
 * the batch and backs off; the client is told 429/503 with Retry-After).
 *
 * Statuses follow whose fault it is: 4xx when the request itself is wrong (retrying the same
 * bytes gives the same answer), 429/503 when Warden or a dependency is busy or down, and 500/502
 * when Warden (or a service it calls) failed in a way the client cannot fix — never 400 for a
 * failure of Kafka, ClickHouse or Warden's own files. Codes of configuration and start-up carry
 * 500: they stop Warden before it answers anyone.
 */
export interface ErrorCodeSpec {
  status: number;
  retryable: boolean;
  /** What the code means, for whoever reads it in a log, an answer or a metric label. */
  description: string;
}

const bad = (status: number, description: string) => ({ status, retryable: false, description }) as const;
const busy = (status: 429 | 503, description: string) => ({ status, retryable: true, description }) as const;
const failed = (status: 500 | 502 | 504, description: string) => ({ status, retryable: false, description }) as const;

export const ERROR_CODES = {
  // The request: what a client sent, or may ask.
  BAD_REQUEST: bad(400, 'the HTTP request is malformed'),
  INVALID_REQUEST: bad(400, 'a parameter or body field is missing or out of range'),
  INVALID_JSON: bad(400, 'the request body is not valid JSON'),
  EMPTY_BODY: bad(400, 'a JSON body was announced but is empty'),
  INVALID_CONTENT_LENGTH: bad(400, 'Content-Length does not match the body'),
  BODY_TOO_LARGE: bad(413, 'the body as sent is larger than WARDEN_BODY_LIMIT_BYTES'),
  UNSUPPORTED_MEDIA_TYPE: bad(415, 'the route does not take this content type'),
  UNAUTHENTICATED: bad(401, 'no bearer token, or an unknown one'),
  FORBIDDEN: bad(403, 'the token lacks the role or the tenant this needs'),
  NOT_FOUND: bad(404, 'no such route, session or record'),
  UNKNOWN_AGENT: bad(404, 'no hook adapter for this agent'),
  ALREADY_REVOKED: bad(409, 'the session is already revoked'),
  NOT_REVOKED: bad(409, 'the session is not revoked'),

  // OTLP: the bytes of an export request, and records refused one by one (partial success).
  OTLP_UNSUPPORTED_CONTENT_TYPE: bad(415, 'neither application/x-protobuf nor application/json'),
  OTLP_UNSUPPORTED_CONTENT_ENCODING: bad(415, 'neither gzip nor identity'),
  OTLP_UNSUPPORTED_ENCODING: bad(415, 'an encoding other than otlp_proto or otlp_json'),
  OTLP_DECODE_PROTO: bad(400, 'the protobuf body is not an export request'),
  OTLP_DECODE_JSON: bad(400, 'the JSON body is not an OTLP/JSON export request'),
  OTLP_GZIP: bad(400, 'the body claims gzip but is not a gzip stream'),
  OTLP_TOO_LARGE: bad(413, 'the body once gunzipped is larger than WARDEN_MAX_DECODED_BYTES'),
  OTLP_TOO_DEEP: bad(400, 'an attribute value nests deeper than the decoder allows'),
  OTLP_TOO_MANY_RECORDS: bad(400, 'the request holds more records than the decoder allows'),
  OTLP_TOO_MANY_ATTRIBUTES: bad(400, 'an attribute list holds more entries than the decoder allows'),
  OTLP_INVALID_ID: bad(400, 'a span without a valid trace or span id'),
  TENANT_MISMATCH: bad(400, 'a record claims a tenant other than the request\'s'),
  INVALID_EVENT: bad(400, 'a record or event storage cannot hold (e.g. a time out of range)'),
  NORMALIZE_RECORD_FAILED: bad(400, 'a record normalization could not turn into an event'),
  BATCH_TOO_LARGE: bad(413, 'one request holds more messages or bytes than the queue can ever take'),
  TRANSPORT_MESSAGE_TOO_LARGE: bad(413, 'Kafka refused a message as larger than the broker takes; send smaller requests'),
  KAFKA_BATCH_CORRUPT: bad(400, 'a consumed Kafka batch whose compressed records cannot be read; its records are dead-lettered'),

  // The gate.
  GATE_NOT_AN_INTENT: bad(400, 'the call could not be read as an intended action'),
  GATE_DECISION_UNKNOWN: bad(404, 'no recent gate decision with this id for this tenant'),
  GATE_NOT_OWNER: bad(421, 'a forwarded gate call reached an instance that does not own the session'),
  GATE_OWNER_UNREACHABLE: busy(503, 'the instance owning the session could not be reached'),

  // Operator queries.
  QUERY_INVALID: bad(400, 'the query is not one SELECT Warden can inspect'),
  QUERY_NOT_READ_ONLY: bad(400, 'the query would write, or is more than one statement'),
  QUERY_TOO_LARGE: bad(400, 'the query reads or returns more than its limits'),
  QUERY_FAILED: bad(400, 'ClickHouse refused the query'),
  QUERY_FORBIDDEN_TABLE: bad(403, 'the query reads a table operators may not read'),
  QUERY_FORBIDDEN_FUNCTION: bad(403, 'the query calls a function operators may not use'),
  QUERY_FORBIDDEN_CLAUSE: bad(403, 'the query uses a clause operators may not use'),
  QUERY_BUSY: busy(429, 'another operator query is running'),
  QUERY_TIMEOUT: failed(504, 'the query ran longer than WARDEN_QUERY_TIMEOUT_MS and was stopped'),

  // Load and dependencies: retrying later can help.
  BACKPRESSURE: busy(429, 'the queue or the Kafka producer is full'),
  TRANSPORT_UNAVAILABLE: busy(503, 'Kafka or the in-process queue (or its write-ahead log) cannot take messages'),
  STORAGE_UNAVAILABLE: busy(503, 'ClickHouse is unreachable or overloaded'),
  STORAGE_STALLED: busy(503, 'a partition has not stored for longer than WARDEN_READY_MAX_STORAGE_STALL_MS'),
  NORMALIZE_WORKER_FAILED: busy(503, 'the normalize worker stopped; it is restarted'),
  KAFKA_CONSUMER_RESTARTED: busy(503, 'the Kafka consumer stopped after an error kafkajs does not retry; it is started again'),
  EARLIER_BATCH_FAILED: busy(503, 'an earlier batch of the partition failed; this one waits for it'),
  REVOCATION_MIRROR_UNAVAILABLE: busy(503, 'neither ClickHouse nor a running Warden could be read for the revocation mirror'),
  JUDGE_UNAVAILABLE: busy(503, 'the goal-deviation judge did not answer'),

  // Warden (or a service it calls) failed; the client cannot fix it.
  INTERNAL: failed(500, 'an unexpected failure'),
  MESSAGE_REJECTED: failed(500, 'Kafka refused a message Warden wrote (invalid or corrupt record)'),
  INVALID_MESSAGE: failed(500, 'a message for an unknown signal reached the transport'),
  KAFKA_CODEC_UNAVAILABLE: failed(500, 'a consumed Kafka batch uses a codec this installation cannot run (lz4 binary missing); its records are dead-lettered'),
  STORAGE_REJECTED: failed(500, 'ClickHouse refused rows or a statement'),
  STORAGE_CLIENT_ERROR: failed(500, 'the ClickHouse client failed before reaching the server'),
  OTLP_UNSUPPORTED_SIGNAL: failed(500, 'a signal other than traces or logs'),
  OTLP_INVALID_LIMITS: failed(500, 'decode limits are not positive integers'),
  OTLP_ENCODE: failed(500, 'a record could not be encoded'),
  REVOCATION_LOG_FAILED: failed(500, 'the revocation log could not be appended to'),
  REVOCATION_MIRROR_MISSING: failed(500, 'the revocations table is missing'),
  REVOCATION_MIRROR_INVALID: failed(500, 'the revocations table holds a row Warden did not write'),
  ALREADY_STARTED: failed(500, 'a consumer was started twice'),
  STOPPED: failed(500, 'the consumer is stopping or stopped'),
  JUDGE_DISABLED: failed(500, 'no goal-deviation judge is configured'),
  JUDGE_REJECTED: failed(502, 'the judge refused the request'),
  JUDGE_BAD_RESPONSE: failed(502, 'the judge answered with something other than a verdict'),

  // Configuration, data files and start-up: a person must fix them; Warden does not start.
  CONFIG_INVALID: failed(500, 'a setting or option is invalid (every problem listed)'),
  TOKENS_INVALID: failed(500, 'the token file is invalid'),
  INVALID_WEBHOOK_CONFIG: failed(500, 'a webhook endpoint setting or file is invalid'),
  INVALID_OUTBOX_OPTIONS: failed(500, 'webhook outbox options are invalid'),
  POLICY_INVALID: failed(500, 'the policy file is invalid'),
  CLASSIFY_RULES_INVALID: failed(500, 'the classification rules are invalid'),
  NORMALIZE_MAPPING_INVALID: failed(500, 'the mapping tables are invalid'),
  DETECTOR_DATA_INVALID: failed(500, 'a detector\'s data file is invalid'),
  REDACT_INVALID_OPTIONS: failed(500, 'redactor options are invalid'),
  INVALID_MIGRATION: failed(500, 'a migration file is misnamed, duplicated or has an unknown placeholder'),
  MIGRATION_CHANGED: failed(500, 'a migration changed after it was applied'),
  WAL_CORRUPT: failed(500, 'a write-ahead log segment is damaged'),
  REVOCATION_LOG_CORRUPT: failed(500, 'the revocation log fails verification'),
  STARTUP_FAILED: failed(500, 'Warden could not start'),
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

type CodesWhere<R extends boolean> = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['retryable'] extends R ? K : never }[ErrorCode];
/** Codes of bad input or of failures retrying cannot mend. */
export type PermanentCode = CodesWhere<false>;
/** Codes of a dependency down or busy: the same operation may succeed later. */
export type RetryableCode = CodesWhere<true>;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
