/**
 * `warden start`: validates the configuration (every problem at once), starts Warden, prints
 * where it listens and how to send it telemetry, and shuts down gracefully on SIGINT/SIGTERM
 * (stop accepting, finish the batch in hand, close storage).
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { startWarden } from '../main.js';
import { createLogger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import { systemClock } from '../lib/clock.js';
import { WardenError } from '../lib/errors.js';

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
  WARDEN_STORAGE_NICE       nice value of embedded ClickHouse's threads, 0-19, so detection
                            gets the CPU first (default 10; 0 = off; Linux)
  WARDEN_NORMALIZE_WORKER   decode and normalize on a worker thread (default true)
  WARDEN_MAX_SESSIONS       live sessions held in memory, all tenants (default 10000; past it
                            the tenant holding the most gives up its least recently seen)
  WARDEN_MAX_SESSIONS_PER_TENANT  live sessions one tenant may hold (default 5000)
  WARDEN_MAX_PARKED_SESSIONS  declarations of evicted sessions kept in memory (default 100000)
  WARDEN_MAX_PARKED_PER_TENANT  per tenant (default 25000); past it they spill to ClickHouse
                            and are reloaded on the session's next event
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
