/**
 * Builds the kafkajs client from our connection options and routes kafkajs's own log lines into
 * our Logger. kafkajs is chatty (every reconnect, rebalance, retry), so only its warnings and
 * errors are forwarded, both at warn level: failures that matter reach the caller as WardenErrors.
 * Every client has the Snappy, LZ4 and ZSTD codecs (codecs.ts), registered on the first one.
 */
import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import { registerCodecs } from './codecs.js';
import { DIRECTORY_PREFIX } from './session-assigner.js';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRIES,
  type KafkaConnectionOptions,
} from './options.js';

/** kafkajs's logLevel is a plain object at run time (no reverse mapping like a TS enum). */
const LEVEL_NAMES: Readonly<Record<number, string>> = { [logLevel.ERROR]: 'ERROR', [logLevel.WARN]: 'WARN' };

/** kafkajs warns of an assignment entry it drops; the group directory is one on purpose (session-assigner.ts). */
function onlyTheDirectory(message: string, fields: Record<string, unknown>): boolean {
  const dropped = fields.topicsNotSubscribed;
  return message === 'Consumer group received unsubscribed topics' && Array.isArray(dropped) && dropped.every((t) => typeof t === 'string' && t.startsWith(DIRECTORY_PREFIX));
}

/** A kafkajs logCreator writing warnings and errors to `logger` at warn level. */
export function kafkajsLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      if (level > logLevel.WARN || level === logLevel.NOTHING) return;
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      if (onlyTheDirectory(message, fields)) return;
      log.warn({ namespace, kafkajsLevel: LEVEL_NAMES[level], ...fields }, message);
    };
}

export function createKafkaClient(options: KafkaConnectionOptions): Kafka {
  registerCodecs();
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
