/**
 * Printed before the test suites run: which infrastructure this run will use. The embedded
 * ClickHouse engine always; librdkafka's mock cluster when the helper can be built; real Kafka
 * and ClickHouse containers when a container engine answers. Suites that cannot run say so
 * again, loudly, where they skip.
 */
import { createRequire } from 'node:module';
import { kafkaMockAvailable } from './kafka-mock.js';
import { probeContainerRuntime } from './containers.js';

const require = createRequire(import.meta.url);
const chdbVersion = (): string => `chdb ${(require('chdb/package.json') as { version: string }).version}`;

const kafka = kafkaMockAvailable();
const containers = await probeContainerRuntime();
const lines = [
  '================ Warden test infrastructure ================',
  `ClickHouse (embedded): ${chdbVersion()} — used by every storage suite`,
  `Kafka mock cluster:    ${kafka.available ? 'YES' : 'NO — Kafka suites will be SKIPPED'} (${kafka.reason})`,
  `Containers:            ${containers.available ? 'YES' : 'NO — container suites (real Kafka, ClickHouse server) will be SKIPPED'} (${containers.reason})`,
  '============================================================',
];
process.stdout.write(`${lines.join('\n')}\n`);
