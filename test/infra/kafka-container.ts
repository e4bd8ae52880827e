/**
 * A real Kafka broker for tests, where a container engine exists: the `apache/kafka` image in
 * KRaft mode (one combined broker + controller) through testcontainers. The host port is chosen
 * before the start so the broker can advertise the address clients will actually reach; topics
 * are created with the kafkajs admin client. Probe the engine first (./containers.ts).
 */
import { Kafka, logLevel } from 'kafkajs';
import { GenericContainer, RandomPortGenerator, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type { KafkaTopicSpec, RunningKafka } from './kafka-mock.js';

/** 3.9 line: kafkajs 2.2 speaks protocol versions that Kafka 4 removed. */
export const DEFAULT_KAFKA_IMAGE = 'apache/kafka:3.9.1';
export const WARDEN_TOPICS: KafkaTopicSpec[] = [
  { name: 'otlp_spans', partitions: 4 },
  { name: 'otlp_logs', partitions: 4 },
  { name: 'warden_dead_letter', partitions: 1 },
];
const KAFKA_PORT = 9092;
const STARTUP_TIMEOUT_MS = 120_000;

export interface KafkaContainerOptions {
  topics?: KafkaTopicSpec[];
  image?: string;
}

export async function startKafkaContainer(options: KafkaContainerOptions = {}): Promise<RunningKafka> {
  const runtime = await getContainerRuntimeClient();
  const host = runtime.info.containerRuntime.host;
  const hostPort = await new RandomPortGenerator().generatePort();
  const container: StartedTestContainer = await new GenericContainer(options.image ?? process.env.WARDEN_KAFKA_IMAGE ?? DEFAULT_KAFKA_IMAGE)
    .withExposedPorts({ container: KAFKA_PORT, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${KAFKA_PORT},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
  const bootstrap = `${host}:${hostPort}`;
  try {
    await createTopics(bootstrap, options.topics ?? WARDEN_TOPICS);
  } catch (err) {
    await container.stop();
    throw err;
  }
  return { bootstrap, stop: async () => void (await container.stop()) };
}

async function createTopics(bootstrap: string, topics: KafkaTopicSpec[]): Promise<void> {
  const admin = new Kafka({ clientId: 'warden-test-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}
