/**
 * A producer that is not kafkajs: librdkafka (the C client the OpenTelemetry Collector's peers and
 * many agents' exporters use) writing to one partition with a given codec, so tests can check
 * that Warden reads batches another client compressed. The helper
 * (`kafka-mock/rdkafka-produce.c`) is compiled on first use against librdkafka, like the mock
 * cluster's, and cached in the gitignored `kafka-mock/bin/` under its source hash. Needs what the
 * mock cluster needs (`kafkaMockAvailable()`).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export type RdkafkaCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface RdkafkaMessage {
  key: string | null;
  value: Buffer;
}

const HELPER_DIR = join(dirname(fileURLToPath(import.meta.url)), 'kafka-mock');
const SOURCE = join(HELPER_DIR, 'rdkafka-produce.c');
const BIN_DIR = join(HELPER_DIR, 'bin');
const COMPILER = process.env.CC ?? 'gcc';
const FLAGS = ['-O2', '-Wall'];
const LIBS = ['-lrdkafka'];
const NO_KEY = 0xffffffff;

let building: Promise<string> | undefined;

function build(): Promise<string> {
  building ??= (async () => {
    const hash = createHash('sha256').update(await readFile(SOURCE)).update([COMPILER, ...FLAGS, ...LIBS].join(' ')).digest('hex').slice(0, 16);
    const binary = join(BIN_DIR, `rdkafka-produce-${hash}`);
    if (await stat(binary).then(() => true, () => false)) return binary;
    await mkdir(BIN_DIR, { recursive: true });
    const partial = `${binary}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
    try {
      await promisify(execFile)(COMPILER, [...FLAGS, '-o', partial, SOURCE, ...LIBS]);
      await rename(partial, binary);
    } catch (err) {
      await rm(partial, { force: true });
      throw new Error(`building the librdkafka producer failed: ${(err as { stderr?: string }).stderr || String(err)}`, { cause: err });
    }
    return binary;
  })().catch((err: unknown) => {
    building = undefined;
    throw err;
  });
  return building;
}

function frame(messages: RdkafkaMessage[]): Buffer {
  const parts: Buffer[] = [];
  const field = (bytes: Buffer | null): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes === null ? NO_KEY : bytes.length);
    parts.push(len);
    if (bytes) parts.push(bytes);
  };
  for (const m of messages) {
    field(m.key === null ? null : Buffer.from(m.key));
    field(m.value);
  }
  return Buffer.concat(parts);
}

/** Produces `messages` to `topic`/`partition` with librdkafka and `codec`; resolves once all are acknowledged. */
export async function produceWithRdkafka(bootstrap: string, topic: string, partition: number, codec: RdkafkaCodec, messages: RdkafkaMessage[]): Promise<void> {
  const binary = await build();
  const child = spawn(binary, [bootstrap, topic, String(partition), codec], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-4000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  child.stdin.end(frame(messages));
  const code = await exited;
  if (code !== 0 || !out.includes(`DELIVERED ${messages.length}`)) {
    throw new Error(`librdkafka producer (${codec}) exited ${code}: ${out.trim()} ${err.trim()}`);
  }
}
