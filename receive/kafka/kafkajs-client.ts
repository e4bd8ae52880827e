/**
 * Builds the kafkajs client from our connection options and routes kafkajs's own log lines into
 * our Logger. kafkajs is chatty (every reconnect, rebalance, retry), so only its warnings and
 * errors are forwarded, both at warn level: failures that matter reach the caller as WardenErrors.
 */
import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRIES,
  type KafkaConnectionOptions,
} from './options.js';

/** kafkajs's logLevel is a plain object at run time (no reverse mapping like a TS enum). */
const LEVEL_NAMES: Readonly<Record<number, string>> = { [logLevel.ERROR]: 'ERROR', [logLevel.WARN]: 'WARN' };

/** A kafkajs logCreator writing warnings and errors to `logger` at warn level. */
export function kafkajsLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      if (level > logLevel.WARN || level === logLevel.NOTHING) return;
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      log.warn({ namespace, kafkajsLevel: LEVEL_NAMES[level], ...fields }, message);
    };
}

export function createKafkaClient(options: KafkaConnectionOptions): Kafka {
  return new Kafka({
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    brokers: options.brokers,
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    retry: { retries: options.retries ?? DEFAULT_RETRIES, initialRetryTime: 100, maxRetryTime: 2_000 },
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogCreator(options.logger),
  });
}
