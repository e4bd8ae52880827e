/**
 * The one place where Warden's stages are wired, in either way of running:
 *
 *   embedded:     OTLP/HTTP and OTLP/gRPC receivers → in-process queue ─┐
 *   distributed:  OTLP/HTTP and OTLP/gRPC receivers → Kafka ────────────┤
 *                 (or any OTel Collector → Kafka)        ▼
 *                 consumer → batch processor (decode → normalize/classify/redact on a
 *                 worker thread → observers → ClickHouse insert) → commit
 *
 *                                   └─ observers: detection engine → findings → kill switch
 *                                      (revocation log, webhook outbox, revocation topic)
 *
 * Storage is ClickHouse either way: the embedded engine (chdb) by default, a server when
 * CLICKHOUSE_URL is set — the same client and the same SQL.
 */
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { WardenConfig } from './config/config.js';
import { loadOrCreateTokens, type TokenEntry } from './config/tokens.js';
import { buildApp } from './serve/api/app.js';
import { Gate } from './respond/gate/gate-service.js';
import { ClickHouseGateMemory } from './store/gate-memory-store.js';
import { GateRouter } from './respond/gate/owner-routing.js';
import { GroupMembership } from './receive/kafka/group-membership.js';
import { rekeyBySession } from './receive/kafka/rekey-by-session.js';
import { sessionAssigner } from './receive/kafka/session-assigner.js';
import { createBatchProcessor } from './pipeline/batch-processor.js';
import { StorageHealth } from './store/storage-health.js';
import { SessionSummaryJob } from './store/session-summary-job.js';
import { createClassifier } from './normalize/classify/index.js';
import { createRedactor } from './normalize/redact/index.js';
import { createNormalizer, DEFAULT_TENANT } from './normalize/index.js';
import { OtlpGrpcServer } from './receive/grpc/otlp-grpc-server.js';
import { createMemoryTransport, DEFAULT_MEMORY_MAX_IN_FLIGHT, MemoryDeadLetterSink } from './receive/transport/memory.js';
import { KAFKA_MAX_IN_FLIGHT, KafkaDeadLetterSink, KafkaTransportConsumer, KafkaTransportProducer } from './receive/kafka/index.js';
import type { DeadLetterSink, TransportConsumer, TransportProducer } from './receive/transport/transport.js';
import type { EventStage } from './model/event-stage.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import type { Clock } from './lib/clock.js';
import { lowerBackgroundThreads } from './lib/thread-priority.js';
import { errorCode } from './lib/errors.js';
import { WorkerNormalizer } from './normalize/worker/worker-normalizer.js';
import { PIPELINE_WORKER_ENTRY } from './pipeline/worker/index.js';
import { DetectionEngine, SessionRegistry, loadPolicy } from './detect/engine/index.js';
import {
  ClickHouseAuditStore,
  ClickHouseDecisionStore,
  ClickHouseFindingStore,
  ClickHouseRevocationMirror,
  ClickHouseSessionStore,
  migrate,
  openClickHouse,
  rebuildFromStore,
  type ClickHouseHandle,
} from './store/index.js';
import {
  KafkaRevocationPublisher,
  KafkaRevocationSubscriber,
  applyRevocation,
  openKillSwitch,
  revokeOnFinding,
  type KillSwitch,
  type RevocationRecord,
} from './respond/kill-switch/index.js';

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
  detection: Detection;
  /** The admin token created on this start, when the token file did not exist yet. */
  createdToken?: TokenEntry;
  /** The OTLP/gRPC receiver (`host:port`), unless WARDEN_GRPC is off. */
  grpc?: { address: string; port: number };
  close(): Promise<void>;
}

interface Transport {
  producer: TransportProducer;
  consumer: TransportConsumer;
  /** With KAFKA_REKEY: the first stage's consumer of the OTLP topics (started with rekeyBySession). */
  rekey?: TransportConsumer;
  deadLetter: DeadLetterSink;
  ready: () => Promise<void>;
  close: () => Promise<void>;
}

function createTransport(config: WardenConfig, { logger, metrics }: Collaborators, group?: { membership: GroupMembership; advertiseUrl: () => string }): Transport {
  if (config.mode === 'embedded') {
    // With the write-ahead log, what it holds uncommitted from before a crash is queued first.
    const memory = createMemoryTransport({
      capacity: config.queueCapacity,
      maxBytes: config.queueMaxBytes,
      ...(config.wal.enabled ? { wal: { dir: path.join(config.dataDir, 'queue-wal'), fsync: config.wal.fsync } } : {}),
      logger,
      metrics,
    });
    return {
      producer: memory.producer,
      consumer: memory.consumer,
      deadLetter: new MemoryDeadLetterSink({ logger, metrics }),
      ready: async () => {},
      close: async () => {
        await memory.consumer.stop();
        await memory.producer.close();
        await memory.close();
      },
    };
  }
  const common = { brokers: config.kafka.brokers, clientId: config.kafka.clientId, logger, metrics };
  // Re-keyed: what Warden produces (receivers, hook intents, the first stage) and what detection
  // reads are the session topics; the OTLP topics are read by the first stage only.
  const sessionTopics = config.kafka.rekey ?? config.kafka.topics;
  const producer = new KafkaTransportProducer({ ...common, topics: sessionTopics, idempotent: config.kafka.idempotent, compression: config.kafka.compression });
  const consumer = new KafkaTransportConsumer({ ...common, groupId: config.kafka.groupId, topics: sessionTopics, encodings: config.kafka.rekey ? undefined : config.kafka.encodings, ...(group ? { membership: group.membership, partitionAssigners: [sessionAssigner(group.advertiseUrl)] } : {}) });
  const rekey = config.kafka.rekey ? new KafkaTransportConsumer({ ...common, groupId: `${config.kafka.groupId}-rekey`, topics: config.kafka.topics, encodings: config.kafka.encodings }) : undefined;
  const deadLetter = new KafkaDeadLetterSink({ ...common, topic: config.kafka.topics.deadLetter, idempotent: config.kafka.idempotent });
  return {
    producer,
    consumer,
    ...(rekey ? { rekey } : {}),
    deadLetter,
    ready: () => producer.ping(),
    close: async () => {
      await rekey?.stop();
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

export interface Detection {
  engine: DetectionEngine;
  /** Decides intended actions before they run, with the engine's session state. */
  gate: Gate;
  registry: SessionRegistry;
  killSwitch: KillSwitch;
  /**
   * Replays recent history from ClickHouse into the detectors (silently; events already seen
   * are skipped), e.g. after a Kafka rebalance handed this instance sessions another instance
   * was handling. Runs one at a time; a call while one runs schedules one more.
   */
  rebuild(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Detection and the kill switch: the session registry and engine (an observer of every batch),
 * findings and session rows written to ClickHouse in the background, the revocation log and
 * webhook outbox in the data directory, and in distributed mode the revocation topic that keeps
 * every instance's verdicts in step. Recent sessions are rebuilt from ClickHouse first.
 */
async function startDetection(config: WardenConfig, { logger, metrics, clock }: Collaborators, storage: ClickHouseHandle): Promise<Detection> {
  const policy = loadPolicy(config.detection.policyFile || undefined);
  const stores = { logger, metrics, clock };
  const findings = new ClickHouseFindingStore(storage, stores);
  const sessions = new ClickHouseSessionStore(storage, stores);
  // Per-tenant bounds; declarations of evicted sessions parked, spilled to ClickHouse past their cap and reloaded.
  const registry = new SessionRegistry({
    clock,
    metrics,
    ...config.detection.sessions,
    onStateChange: (session) => sessions.touch(session),
    onSpill: (parked) => sessions.park(parked),
    loader: (tenant, id) => sessions.load(tenant, id),
  });
  const mirror = new ClickHouseRevocationMirror({ handle: storage, logger, metrics });
  const connection = { brokers: config.kafka.brokers, clientId: config.kafka.clientId, logger, metrics };
  const topic = { connection, instanceId: config.detection.instanceId, topic: config.detection.revocationTopic };
  const publisher = config.mode === 'distributed' ? new KafkaRevocationPublisher({ ...topic, idempotent: config.kafka.idempotent, compression: config.kafka.compression }) : undefined;

  const applyToRegistry = applyRevocation(registry);
  const killSwitch = await openKillSwitch({
    dataDir: config.dataDir,
    endpoints: config.webhooks,
    clock,
    logger,
    metrics,
    mirror,
    ...(publisher ? { publisher } : {}),
    onStateChange: applyToRegistry,
  });
  for (const record of killSwitch.log.loaded) applyToRegistry(record);

  const onFinding = revokeOnFinding(registry, killSwitch.service);
  const engine = new DetectionEngine({ registry, policy, clock, logger, metrics, findings, sessions, onFinding });
  const decisions = new ClickHouseDecisionStore(storage, stores);
  // Grants and stopped calls outlive this instance: the next owner of a session reads them back.
  const gateMemory = new ClickHouseGateMemory(storage, stores);
  const gate = new Gate({ engine, decisions, memory: gateMemory, grantLifetimeMs: config.gate.grantMinutes * 60_000, clock, logger, metrics });
  const rebuildOnce = async (why: string): Promise<void> => {
    // Events from before this moment that arrive after it were not stored by their last owner: judged at their own time.
    engine.tookOver(clock.now());
    if (config.detection.rebuildMinutes <= 0) return;
    const result = await rebuildFromStore(storage, engine, {
      sinceMs: clock.now() - config.detection.rebuildMinutes * 60_000,
      maxSessions: config.detection.sessions.maxSessions,
      maxEventsPerSession: 200,
      gate: { into: gate, nowMs: clock.now(), metrics },
    });
    logger.info({ ...result, why }, 'detector state rebuilt from ClickHouse');
  };
  await rebuildOnce('start');
  let rebuilding: Promise<void> | undefined;
  let again = false;
  const rebuild = (): Promise<void> => {
    if (rebuilding) {
      again = true;
      return rebuilding;
    }
    rebuilding = (async () => {
      do {
        again = false;
        try {
          await rebuildOnce('rebalance');
        } catch (err) {
          metrics.errors.inc({ stage: 'rebuild', code: errorCode(err) });
          logger.warn({ code: errorCode(err), err: String(err) }, 'detector state rebuild failed; sessions continue from what this instance has seen');
        }
      } while (again);
    })().finally(() => (rebuilding = undefined));
    return rebuilding;
  };
  // Another instance's record is applied here, and checked into the shared table in case its
  // origin died before inserting it (revocation-mirror.ts).
  const applyRemote = (r: RevocationRecord): boolean => {
    mirror.addRemote(r);
    return killSwitch.service.applyRemote(r);
  };
  const subscriber = config.mode === 'distributed' ? new KafkaRevocationSubscriber({ ...topic, apply: applyRemote }) : undefined;
  await subscriber?.start();

  return {
    engine,
    gate,
    registry,
    killSwitch,
    rebuild,
    close: async () => {
      await rebuilding;
      await subscriber?.stop();
      await engine.drain();
      await killSwitch.close();
      await publisher?.close();
      mirror.close();
      await findings.close();
      await sessions.close();
      await decisions.close();
      await gateMemory.close();
    },
  };
}

export async function startWarden(config: WardenConfig, collaborators: Collaborators, observers: EventStage[] = []): Promise<RunningWarden> {
  const { logger, metrics } = collaborators;
  const storage = await openClickHouse({
    url: config.clickhouse.url || undefined,
    dataPath: config.clickhouse.dataPath ?? path.join(config.dataDir, 'clickhouse'),
    database: config.clickhouse.database,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
    cluster: config.clickhouse.cluster,
    logger,
  });
  // Decoding and normalizing on a worker thread, started before priorities are set: it does
  // detection's groundwork, so it keeps the main thread's priority.
  // The pipeline's worker also prepares the events' storage rows (pipeline/worker/), off this thread.
  const messages = config.normalizeWorker ? new WorkerNormalizer({ logger, metrics, entry: PIPELINE_WORKER_ENTRY }) : undefined;
  await messages?.start();
  // Embedded ClickHouse runs in this process: its threads yield the CPU to detection.
  const priority = storage.engine === 'chdb' ? lowerBackgroundThreads({ nice: config.storageNice, logger, keepThreadIds: () => messages?.threadIds ?? new Set() }) : undefined;
  await migrate(storage, { ttlDays: config.clickhouse.ttlDays, cluster: config.clickhouse.cluster });
  const store = new ClickHouseAuditStore(storage, { logger, metrics });
  // The sessions list's finalized rows, folded from the sessions whose events arrived since.
  const summary = new SessionSummaryJob({ storage, clock: collaborators.clock, logger, metrics, periodMs: config.clickhouse.summaryPeriodMs, cluster: config.clickhouse.cluster });

  const detection = await startDetection(config, collaborators, storage);
  // The gate normalizes each hook event on this thread with the same tables and no counters: the
  // record is counted once, when the ingest path normalizes it for storage. With the worker, that
  // is the only normalizer built here; without it, the batch path gets its own, counted.
  const classifier = createClassifier();
  const redactor = createRedactor();
  const gateNormalizer = createNormalizer({ classifier, redactor, clock: collaborators.clock });
  const normalizer = messages ? gateNormalizer : createNormalizer({ classifier, redactor, metrics, clock: collaborators.clock });
  // Distributed: after every join (the first too: other instances went on storing events while
  // this one started and waited to join), the sessions other instances were handling are
  // replayed from ClickHouse into the detectors — events already seen are skipped — and only
  // then does this instance decide gate calls for its new sessions. Every
  // gate call is decided by its session's owner (forwarded to the URL the owner advertises).
  let advertiseUrl = config.gate.advertiseUrl;
  const membership =
    config.mode === 'distributed' ? new GroupMembership({ topic: (config.kafka.rekey ?? config.kafka.topics).logs, logger, prepare: () => detection.rebuild() }) : undefined;
  const router = membership
    ? new GateRouter({
        ownership: membership,
        clock: collaborators.clock,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        self: () => advertiseUrl,
        waitMs: config.gate.ownerWaitMs,
        forwardTimeoutMs: config.gate.forwardTimeoutMs,
        logger,
        metrics,
      })
    : undefined;
  const transport = createTransport(config, collaborators, membership ? { membership, advertiseUrl: () => advertiseUrl } : undefined);
  // Readiness tells the truth about storing: not ready while a partition goes without storing.
  const storageHealth = new StorageHealth({ clock: collaborators.clock, maxFailingMs: config.readyMaxStorageStallMs });
  const handler = createBatchProcessor({
    normalizer, ...(messages ? { messages } : {}), store, deadLetter: transport.deadLetter, observers: [detection.engine, ...observers], logger, metrics, health: storageHealth,
    // The in-process queue lets many batches be in flight; Kafka's consumer four per partition.
    insert: { maxEvents: config.clickhouse.insertMaxEvents, maxDelayMs: config.clickhouse.insertDelayMs, maxBatches: config.mode === 'distributed' ? KAFKA_MAX_IN_FLIGHT : DEFAULT_MEMORY_MAX_IN_FLIGHT },
  });

  const { registry, created } = loadOrCreateTokens(config.tokensFile);
  const app = buildApp({
    producer: transport.producer,
    tokens: registry,
    metrics,
    logger,
    bodyLimitBytes: config.http.bodyLimitBytes,
    maxDecodedBytes: config.http.maxDecodedBytes,
    // Kafka needs each message keyed by session; the in-process queue does not, so there the
    // receiver only scans requests and the worker decodes them, once. Keys come from the same
    // compiled tables as the gate's.
    otlp: { keyBySession: config.mode === 'distributed', sessionIdOf: (record) => gateNormalizer.sessionIdOf(record) },
    requestTimeoutMs: config.http.requestTimeoutMs,
    ingestRequiresToken: config.http.ingestRequiresToken,
    readiness: { storage: () => pingStorage(storage), transport: transport.ready, ingest: () => storageHealth.check() },
    // The areas' plugins (serve/api/app.ts): the agents' hooks, the gate, the operator API and its query.
    hooks: { normalizer: gateNormalizer, producer: transport.producer, gate: detection.gate, clock: collaborators.clock, logger, ...(router ? { router } : {}) },
    gate: { storage, normalizer: gateNormalizer, producer: transport.producer, gate: detection.gate, engine: detection.engine, clock: collaborators.clock, ...(router ? { router } : {}) },
    operator: { storage, sessions: detection.registry, revocations: detection.killSwitch.service, clock: collaborators.clock },
    query: { storage, dataPath: config.clickhouse.dataPath ?? path.join(config.dataDir, 'clickhouse'), limits: config.query, logger, metrics },
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  // OTLP/gRPC beside OTLP/HTTP: the same tokens, limits, checks and transport.
  let grpc: OtlpGrpcServer | undefined;
  try {
    grpc = config.grpc.enabled
      ? await OtlpGrpcServer.start({
          host: config.http.host,
          port: config.grpc.port,
          maxMessageBytes: config.http.bodyLimitBytes,
          maxDecodedBytes: config.http.maxDecodedBytes,
          producer: transport.producer,
          tokens: registry,
          ingestRequiresToken: config.http.ingestRequiresToken,
          defaultTenant: DEFAULT_TENANT,
          ...(config.mode === 'distributed' ? { sessionIdOf: (record) => gateNormalizer.sessionIdOf(record) } : {}),
          metrics,
          logger,
        })
      : undefined;
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  // The consumer joins the group once the server listens: the group learns this instance's URL.
  if (advertiseUrl === '') advertiseUrl = `http://${config.http.host === '0.0.0.0' || config.http.host === '::' ? os.hostname() : host}:${port}`;
  try {
    await transport.consumer.start(handler);
    await transport.rekey?.start(
      rekeyBySession({ producer: transport.producer, deadLetter: transport.deadLetter, sessionIdOf: (record) => gateNormalizer.sessionIdOf(record), maxDecodedBytes: config.http.maxDecodedBytes, metrics }),
    );
  } catch (err) {
    await app.close();
    await grpc?.close();
    throw err;
  }

  summary.start();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await app.close();
      await grpc?.close();
      await transport.close();
      await messages?.close();
      await detection.close();
      await summary.stop();
      await storage.close();
      priority?.stop();
    })());

  return {
    app,
    url: `http://${host}:${port}`,
    storage,
    detection,
    ...(created ? { createdToken: created } : {}),
    ...(grpc ? { grpc: { address: grpc.address, port: grpc.port } } : {}),
    close,
  };
}
