/**
 * `warden start`: validates the configuration (every problem at once), starts Warden, prints
 * where it listens and how to send it telemetry, and shuts down gracefully on SIGINT/SIGTERM
 * (stop accepting, finish the batch in hand, close storage).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { settingsHelp } from '../../config/settings-doc.js';
import { createLogger } from '../../lib/logger.js';
import { logLineRedactor } from '../../normalize/redact/index.js';
import { Metrics } from '../../lib/metrics.js';
import { systemClock } from '../../lib/clock.js';
import { WardenError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { yieldSessionCpu, type SessionPriorityOutcome } from '../../lib/session-priority.js';
import { collectYoungOnEventLoopThread } from '../../lib/young-collection.js';
import { spaceFullCollections } from '../../lib/full-collection.js';

/** What the start banner says of Warden's share of the CPU. */
function cpuLine(outcome: SessionPriorityOutcome): string {
  switch (outcome.done) {
    case 'lowered':
      return `yields to the machine's other programs when they want it (session nice ${outcome.nice}, WARDEN_NICE)`;
    case 'shared-session':
      return 'same priority as the terminal that started it (start it detached, or as a service, to let it yield to the agents: WARDEN_NICE)';
    case 'failed':
      return `same priority as the agents (could not lower it: ${outcome.error})`;
    case 'off':
      return 'same priority as the agents (WARDEN_NICE=0)';
    default:
      return 'as the system shares it (no session groups here: set the service\'s CPU weight to let it yield)';
  }
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run Warden: OTLP receiver, ingestion pipeline and API')
    .option('-p, --port <port>', 'HTTP port (overrides WARDEN_HTTP_PORT)')
    .option('--host <host>', 'interface to bind (overrides WARDEN_HTTP_HOST)')
    .option('--data-dir <dir>', 'data directory (overrides WARDEN_DATA_DIR)')
    .addHelpText('after', settingsHelp())
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
      const logger = createLogger(logLineRedactor(), config.logLevel);
      privateDataDir(config.dataDir, logger);
      // A process-wide setting, so it is the command's to make, not the assembly's (which tests and
      // the demo build inside processes of their own).
      const cpu = yieldSessionCpu({ nice: config.nice, logger });
      collectYoungOnEventLoopThread();
      spaceFullCollections(config.heapGrowthPercent);
      let warden;
      try {
        const metrics = new Metrics();
        metrics.collectProcessMetrics();
        // The service's modules load only to start it: `warden start --help` needs none of them.
        const { startWarden } = await import('../../main.js');
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
          ...(warden.grpc ? [`  OTLP/gRPC   ${warden.grpc.address}  (traces, logs)`] : []),
          `  API         ${warden.url}/api/v1   health ${warden.url}/healthz   metrics ${warden.url}/metrics`,
          `  storage     ${storage}`,
          `  transport   ${transport}`,
          `  CPU         ${cpuLine(cpu)}`,
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
