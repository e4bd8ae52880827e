/**
 * The one place where Warden's stages are wired, in either way of running:
 *
 *   embedded:     OTLP/HTTP receiver → in-process queue ─┐
 *   distributed:  OTLP/HTTP receiver → Kafka ────────────┤
 *                 (or any OTel Collector → Kafka)        ▼
 *                 consumer → batch processor (decode → normalize/classify/redact
 *                 → observers → ClickHouse insert) → commit
 *
 * Storage is ClickHouse either way: the embedded engine (chdb) by default, a server when
 * CLICKHOUSE_URL is set — the same client and the same SQL.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { WardenConfig } from './config/config.js';
import { loadOrCreateTokens, type TokenEntry } from './config/tokens.js';
import { buildApp } from './api/app.js';
import { registerQueryRoute } from './api/routes/query.js';
import { createBatchProcessor } from './ingest/batch-processor.js';
import { createClassifier } from './ingest/classify/index.js';
import { createRedactor } from './ingest/redact/index.js';
import { createNormalizer } from './ingest/normalize/index.js';
import { ClickHouseAuditStore, migrate, openClickHouse, type ClickHouseHandle } from './ingest/clickhouse-sink/index.js';
import { createMemoryTransport, MemoryDeadLetterSink } from './ingest/transport/memory.js';
import { KafkaDeadLetterSink, KafkaTransportConsumer, KafkaTransportProducer } from './ingest/kafka/index.js';
import type { DeadLetterSink, TransportConsumer, TransportProducer } from './ingest/transport/transport.js';
import type { EventStage } from './ingest/pipeline.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import type { Clock } from './lib/clock.js';

export interface Collaborators {
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
}

export interface RunningWarden {
  app: FastifyInstance;
  /** `http://host:port` the server listens on. */
  url: string;
  storage: ClickHouseHandle;
  /** The admin token created on this start, when the token file did not exist yet. */
  createdToken?: TokenEntry;
  close(): Promise<void>;
}

interface Transport {
  producer: TransportProducer;
  consumer: TransportConsumer;
  deadLetter: DeadLetterSink;
  ready: () => Promise<void>;
  close: () => Promise<void>;
}

function createTransport(config: WardenConfig, { logger, metrics }: Collaborators): Transport {
  if (config.mode === 'embedded') {
    const memory = createMemoryTransport({ capacity: config.queueCapacity, logger, metrics });
    return {
      ...memory,
      deadLetter: new MemoryDeadLetterSink({ logger, metrics }),
      ready: async () => {},
      close: async () => {
        await memory.consumer.stop();
        await memory.producer.close();
      },
    };
  }
  const common = { brokers: config.kafka.brokers, clientId: config.kafka.clientId, logger, metrics };
  const producer = new KafkaTransportProducer({ ...common, topics: config.kafka.topics, idempotent: config.kafka.idempotent });
  const consumer = new KafkaTransportConsumer({ ...common, groupId: config.kafka.groupId, topics: config.kafka.topics, encodings: config.kafka.encodings });
  const deadLetter = new KafkaDeadLetterSink({ ...common, topic: config.kafka.topics.deadLetter, idempotent: config.kafka.idempotent });
  return {
    producer,
    consumer,
    deadLetter,
    ready: () => producer.ping(),
    close: async () => {
      await consumer.stop();
      await producer.close();
      await deadLetter.close();
    },
  };
}

async function pingStorage(storage: ClickHouseHandle): Promise<void> {
  const result = await storage.client.ping();
  if (!result.success) throw result.error;
}

export async function startWarden(config: WardenConfig, collaborators: Collaborators, observers: EventStage[] = []): Promise<RunningWarden> {
  const { logger, metrics } = collaborators;
  const storage = await openClickHouse({
    url: config.clickhouse.url || undefined,
    dataPath: path.join(config.dataDir, 'clickhouse'),
    database: config.clickhouse.database,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
    logger,
  });
  await migrate(storage, { ttlDays: config.clickhouse.ttlDays });
  const store = new ClickHouseAuditStore(storage, { logger, metrics });

  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor(), metrics, clock: collaborators.clock });
  const transport = createTransport(config, collaborators);
  const handler = createBatchProcessor({ normalizer, store, deadLetter: transport.deadLetter, observers, logger, metrics });
  await transport.consumer.start(handler);

  const { registry, created } = loadOrCreateTokens(config.tokensFile);
  const app = buildApp({
    producer: transport.producer,
    tokens: registry,
    metrics,
    logger,
    bodyLimitBytes: config.http.bodyLimitBytes,
    ingestRequiresToken: config.http.ingestRequiresToken,
    readiness: { storage: () => pingStorage(storage), transport: transport.ready },
    routes: [(a) => registerQueryRoute(a, { storage, maxRows: 10_000 })],
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await app.close();
      await transport.close();
      await storage.close();
    })());

  return { app, url: `http://${host}:${port}`, storage, ...(created ? { createdToken: created } : {}), close };
}
