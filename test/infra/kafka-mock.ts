/**
 * Kafka for tests without a broker: librdkafka's mock cluster, run as a child process.
 *
 * The helper (`kafka-mock/mock-cluster.c`) is compiled on first use with the system C compiler
 * against librdkafka and cached in the gitignored `kafka-mock/bin/` folder under a name derived
 * from the source hash, so an edited source is rebuilt and parallel test files share one build.
 * The mock speaks the real Kafka protocol (produce, fetch, consumer groups, offset commits) but
 * cannot create topics over the Admin API, so the topics are passed to the helper at start.
 * The helper exits on SIGTERM or when its stdin closes, so it never outlives the test process.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { devNull } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface KafkaTopicSpec {
  name: string;
  partitions: number;
}

export interface KafkaMockOptions {
  topics: KafkaTopicSpec[];
  /** Number of mock brokers (default 1). */
  brokers?: number;
}

export interface RunningKafka {
  /** ONE `host:port`: kafkajs is given a single bootstrap address, not the comma-joined list. */
  bootstrap: string;
  stop(): Promise<void>;
}

/** The mock cluster, which can also play a broker's faults. */
export interface RunningKafkaMock extends RunningKafka {
  /**
   * Makes the next requests of Kafka API `apiKey` (e.g. 14, SyncGroup) answer `errors` (Kafka
   * error codes, e.g. 42 INVALID_REQUEST), one per request: a broker's faults, on the real protocol.
   */
  injectErrors(apiKey: number, errors: number[]): Promise<void>;
}

export interface Availability {
  available: boolean;
  reason: string;
}

const HELPER_DIR = join(dirname(fileURLToPath(import.meta.url)), 'kafka-mock');
const HELPER_SOURCE = join(HELPER_DIR, 'mock-cluster.c');
const HELPER_BIN_DIR = join(HELPER_DIR, 'bin');
const COMPILER = process.env.CC ?? 'gcc';
const COMPILE_FLAGS = ['-O2', '-Wall'];
const LINK_FLAGS = ['-lrdkafka'];
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const BOOTSTRAP_PREFIX = 'BOOTSTRAP ';

const execFileAsync = promisify(execFile);
const running = new Set<ChildProcess>();
let availability: Availability | undefined;
let building: Promise<string> | undefined;

/** Whether the helper can be built here: a C compiler and librdkafka's mock header. */
export function kafkaMockAvailable(): Availability {
  if (availability) return availability;
  const cc = spawnSync(COMPILER, ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    availability = { available: false, reason: `no C compiler (${COMPILER}) on PATH` };
    return availability;
  }
  const header = spawnSync(COMPILER, ['-E', '-x', 'c', '-', '-o', devNull], {
    input: '#include <librdkafka/rdkafka.h>\n#include <librdkafka/rdkafka_mock.h>\n',
    encoding: 'utf8',
  });
  availability =
    header.status === 0
      ? { available: true, reason: 'C compiler and librdkafka headers found' }
      : { available: false, reason: 'librdkafka headers missing (install librdkafka-dev)' };
  return availability;
}

/** Compiles the helper once per source version; returns the binary's path. */
export function buildKafkaMockHelper(): Promise<string> {
  building ??= compileHelper().catch((err: unknown) => {
    building = undefined;
    throw err;
  });
  return building;
}

async function compileHelper(): Promise<string> {
  const source = await readFile(HELPER_SOURCE);
  const hash = createHash('sha256')
    .update(source)
    .update([COMPILER, ...COMPILE_FLAGS, ...LINK_FLAGS].join(' '))
    .digest('hex')
    .slice(0, 16);
  const binary = join(HELPER_BIN_DIR, `mock-cluster-${hash}`);
  if (await exists(binary)) return binary;
  await mkdir(HELPER_BIN_DIR, { recursive: true });
  // Build under a unique name and rename: test files run in parallel processes.
  const partial = `${binary}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await execFileAsync(COMPILER, [...COMPILE_FLAGS, '-o', partial, HELPER_SOURCE, ...LINK_FLAGS]);
    await rename(partial, binary);
  } catch (err) {
    await rm(partial, { force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`building the Kafka mock helper failed: ${stderr || String(err)}`, { cause: err });
  }
  return binary;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Starts a mock cluster with the given topics; resolves once it accepts connections. */
export async function startKafkaMock(options: KafkaMockOptions): Promise<RunningKafkaMock> {
  const args = topicArgs(options);
  const binary = await buildKafkaMockHelper();
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  ensureExitHook();
  try {
    const bootstrap = await readBootstrap(child);
    const answers = commandAnswers(child);
    releaseHandles(child);
    return { bootstrap, injectErrors: (apiKey, errors) => answers(`ERRORS ${apiKey} ${errors.join(' ')}`), stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

function topicArgs(options: KafkaMockOptions): string[] {
  const args: string[] = [];
  if (options.brokers !== undefined) {
    if (!Number.isInteger(options.brokers) || options.brokers < 1) throw new Error('brokers must be >= 1');
    args.push('--brokers', String(options.brokers));
  }
  for (const { name, partitions } of options.topics) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`invalid topic name: ${JSON.stringify(name)}`);
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`invalid partitions for ${name}`);
    args.push(`${name}:${partitions}`);
  }
  return args;
}

function readBootstrap(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string): void => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`Kafka mock helper ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (err) => fail(`could not be spawned (${err.message})`));
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    lines.on('line', (line) => {
      if (!line.startsWith(BOOTSTRAP_PREFIX)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      lines.close();
      const first = line.slice(BOOTSTRAP_PREFIX.length).split(',')[0]?.trim();
      if (first) resolve(first);
      else reject(new Error(`Kafka mock helper printed no bootstrap address: ${line}`));
    });
  });
}

/** Sends one command line to the helper; resolves at its "OK" answer (commands are answered in order). */
function commandAnswers(child: ChildProcess): (command: string) => Promise<void> {
  const waiting: Array<{ resolve: () => void; reject: (err: Error) => void; command: string }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const next = waiting.shift();
    if (!next) return;
    if (line.startsWith('OK')) next.resolve();
    else next.reject(new Error(`Kafka mock helper refused ${JSON.stringify(next.command)}: ${line}`));
  });
  return (command) => {
    if (!/^[A-Z]+( -?\d+)+$/.test(command)) return Promise.reject(new Error(`not a mock helper command: ${command}`));
    return new Promise((resolve, reject) => {
      waiting.push({ resolve, reject, command });
      child.stdin!.write(`${command}\n`);
    });
  };
}

/** A forgotten stop() must not keep the test process alive; the exit hook still kills it. */
function releaseHandles(child: ChildProcess): void {
  child.stdout?.resume();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as { unref?: () => void } | null)?.unref?.();
  }
  child.unref();
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

let exitHookInstalled = false;
function ensureExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
