/**
 * `warden start`: validates the configuration (every problem at once), starts Warden, prints
 * where it listens and how to send it telemetry, and shuts down gracefully on SIGINT/SIGTERM
 * (stop accepting, finish the batch in hand, close storage).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { startWarden } from '../../main.js';
import { createLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { systemClock } from '../../lib/clock.js';
import { WardenError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

const ENV_HELP = `
Configuration (environment variables):
  WARDEN_HTTP_HOST          interface to bind (default 127.0.0.1)
  WARDEN_HTTP_PORT          HTTP port for OTLP and the API (default 4318)
  WARDEN_DATA_DIR           embedded ClickHouse data and token file (default .warden-data)
  WARDEN_TOKENS_FILE        API tokens YAML (default <data dir>/tokens.yaml, created on first start)
  WARDEN_INGEST_REQUIRE_TOKEN  require a token for OTLP ingest (default: only when not on loopback)
  WARDEN_BODY_LIMIT_BYTES   largest request body as sent (default 16 MiB)
  WARDEN_MAX_DECODED_BYTES  largest OTLP body once gunzipped; past it 413 (default 16 MiB)
  WARDEN_HTTP_REQUEST_TIMEOUT_MS  time to send a whole request, headers and body; past it
                            408 and the connection is closed (default 30000)
  CLICKHOUSE_URL            use a ClickHouse server (default: the embedded engine)
  CLICKHOUSE_DATABASE, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD
  WARDEN_TTL_DAYS           days audit events are kept (default 90)
  KAFKA_BROKERS             host:port list; when set, Warden consumes Kafka (distributed mode)
  KAFKA_GROUP_ID            consumer group (default warden)
  KAFKA_TOPIC_SPANS, KAFKA_TOPIC_LOGS, KAFKA_TOPIC_DEAD_LETTER
  KAFKA_ENCODING_SPANS, KAFKA_ENCODING_LOGS   otlp_proto (default) or otlp_json
  KAFKA_IDEMPOTENT          idempotent produce (default true)
  WARDEN_QUEUE_CAPACITY     in-process queue size in messages (embedded mode)
  WARDEN_QUEUE_MAX_BYTES    bytes the in-process queue may hold before requests get 429
                            (default 268435456 = 256 MiB)
  WARDEN_WAL                write-ahead log of the in-process queue: a request answered 200
                            survives a crash (default true; <data dir>/queue-wal)
  WARDEN_WAL_FSYNC          always (default: each group of requests is synced before it is
                            answered) or never (written only: survives a killed process, not
                            a power cut)
  WARDEN_STORAGE_NICE       nice value of embedded ClickHouse's threads, 0-19, so detection
                            gets the CPU first (default 10; 0 = off; Linux)
  WARDEN_NORMALIZE_WORKER   decode and normalize on a worker thread (default true)
  WARDEN_READY_MAX_STORAGE_STALL_MS  /readyz answers 503 once a partition has gone this long
                            without storing after a failure (default 15000)
  WARDEN_MAX_SESSIONS       live sessions held in memory, all tenants (default 10000; past it
                            the tenant holding the most gives up its least recently seen)
  WARDEN_MAX_SESSIONS_PER_TENANT  live sessions one tenant may hold (default 5000)
  WARDEN_MAX_PARKED_SESSIONS  declarations of evicted sessions kept in memory (default 100000)
  WARDEN_MAX_PARKED_PER_TENANT  per tenant (default 25000); past it they spill to ClickHouse
                            and are reloaded on the session's next event
  WARDEN_QUERY_TIMEOUT_MS   time an operator query (warden query) may run before it is
                            stopped with QUERY_TIMEOUT (default 10000)
  WARDEN_QUERY_MAX_ROWS     rows an operator query returns at most (default 10000)
  WARDEN_LOG_LEVEL          trace|debug|info|warn|error (default info)`;

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run Warden: OTLP receiver, ingestion pipeline and API')
    .option('-p, --port <port>', 'HTTP port (overrides WARDEN_HTTP_PORT)')
    .option('--host <host>', 'interface to bind (overrides WARDEN_HTTP_HOST)')
    .option('--data-dir <dir>', 'data directory (overrides WARDEN_DATA_DIR)')
    .addHelpText('after', ENV_HELP)
    .action(async (options: { port?: string; host?: string; dataDir?: string }) => {
      // Everything this process creates — token file, revocation log, webhook outbox, the
      // queue's write-ahead log, embedded ClickHouse's files — is readable by its owner only.
      process.umask(0o077);
      const env = { ...process.env };
      if (options.port !== undefined) env.WARDEN_HTTP_PORT = options.port;
      if (options.host !== undefined) env.WARDEN_HTTP_HOST = options.host;
      if (options.dataDir !== undefined) env.WARDEN_DATA_DIR = options.dataDir;
      let config;
      try {
        config = loadConfig(env);
      } catch (err) {
        process.stderr.write(`warden: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 2;
        return;
      }
      const logger = createLogger(config.logLevel);
      privateDataDir(config.dataDir, logger);
      let warden;
      try {
        const metrics = new Metrics();
        metrics.collectProcessMetrics();
        warden = await startWarden(config, { logger, metrics, clock: systemClock });
      } catch (err) {
        const code = err instanceof WardenError ? err.code : 'STARTUP_FAILED';
        process.stderr.write(`warden: could not start (${code}): ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
        return;
      }
      const storage = config.clickhouse.url ? `ClickHouse server ${config.clickhouse.url}` : `embedded ClickHouse in ${config.dataDir}`;
      const transport = config.mode === 'embedded' ? 'in-process queue' : `Kafka ${config.kafka.brokers.join(',')}`;
      process.stdout.write(
        [
          `Warden is running (${config.mode} mode)`,
          `  OTLP/HTTP   ${warden.url}/v1/traces  ${warden.url}/v1/logs`,
          `  API         ${warden.url}/api/v1   health ${warden.url}/healthz   metrics ${warden.url}/metrics`,
          `  storage     ${storage}`,
          `  transport   ${transport}`,
          `  tokens      ${config.tokensFile}${warden.createdToken ? ' (created now, with one admin token)' : ''}`,
          config.http.ingestRequiresToken ? '  ingest      requires a bearer token' : '  ingest      open to local processes only (bound to loopback)',
          '',
        ].join('\n'),
      );
      const shutdown = (signal: string): void => {
        logger.info({ signal }, 'shutting down');
        warden.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}

/** The data directory is the owner's only, including one an earlier version created 0755. */
function privateDataDir(dataDir: string, logger: Logger): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
  } catch (err) {
    logger.warn({ dataDir, err: String(err) }, 'could not make the data directory private (mode 0700)');
  }
}
