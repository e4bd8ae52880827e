/**
 * The OTLP/gRPC receiver over real gRPC (a grpc-js client, or raw HTTP/2 where a client would
 * refuse to send the bytes) and the real in-process transport: what reaches the transport, and
 * the status each failure is answered with per the OTLP specification — with the counters.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import zlib from 'node:zlib';
import { credentials, Metadata, makeGenericClientConstructor, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { TokenRegistry } from '../../config/tokens.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedLogRecord } from '../../decode/otlp/records.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { toolSpan } from '../../test/helpers/tool-span.js';
import { createMemoryTransport, type MemoryTransport } from '../transport/memory.js';
import type { ConsumedMessage } from '../transport/transport.js';
import type { GrpcSignal } from './grpc-export.js';
import { RETRY_INFO_TYPE, STATUS_DETAILS_KEY } from './grpc-status.js';
import { OtlpGrpcServer, rawService, SERVICE_PATHS, type OtlpGrpcServerOptions } from './otlp-grpc-server.js';

const INGEST = 'ingest-token-0123456789abcdef';
const READER = 'reader-token-0123456789abcdef';
const tokens = new TokenRegistry([
  { name: 'agent', token: INGEST, tenant: 'acme', roles: ['ingest'] },
  { name: 'reader', token: READER, tenant: 'acme', roles: ['read'] },
]);

interface Harness {
  server: OtlpGrpcServer;
  transport: MemoryTransport;
  metrics: Metrics;
  consumed: ConsumedMessage[];
}

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) {
    await h.server.close();
    await h.transport.consumer.stop();
    await h.transport.producer.close();
    await h.transport.close();
  }
});

async function serve(overrides: Partial<OtlpGrpcServerOptions> = {}, { capacity = 1_000, consume = true } = {}): Promise<Harness> {
  const metrics = new Metrics();
  const transport = createMemoryTransport({ capacity, logger: silentLogger, metrics });
  const consumed: ConsumedMessage[] = [];
  if (consume) await transport.consumer.start(async (batch) => void consumed.push(...batch));
  const server = await OtlpGrpcServer.start({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 64 * 1024,
    maxDecodedBytes: 64 * 1024,
    producer: transport.producer,
    metrics,
    logger: silentLogger,
    tokens,
    ingestRequiresToken: true,
    defaultTenant: 'default',
    ...overrides,
  });
  const h = { server, transport, metrics, consumed };
  running.push(h);
  return h;
}

interface CallResult {
  err?: ServiceError;
  response?: Buffer;
}

type ExportClient = { Export(body: Buffer, metadata: Metadata, callback: (err: ServiceError | null, response?: Buffer) => void): void; close(): void };

function call(h: Harness, signal: GrpcSignal, body: Buffer, { token = INGEST as string | null, gzip = false } = {}): Promise<CallResult> {
  const Client = makeGenericClientConstructor(rawService(SERVICE_PATHS[signal]), 'Export');
  const client = new Client(h.server.address, credentials.createInsecure(), gzip ? { 'grpc.default_compression_algorithm': 2 } : {}) as unknown as ExportClient;
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.Export(body, metadata, (err, response) => {
      client.close();
      resolve(err ? { err } : { response: response! });
    });
  });
}

/** One length-prefixed message over raw HTTP/2, as a client that compressed it badly would send it. */
function rawCall(h: Harness, path: string, frame: Buffer, headers: Record<string, string>): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${h.server.address}`);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', authorization: `Bearer ${INGEST}`, ...headers });
    let status = -1;
    let message = '';
    const take = (h2: http2.IncomingHttpHeaders) => {
      if (h2['grpc-status'] !== undefined) status = Number(h2['grpc-status']);
      if (h2['grpc-message'] !== undefined) message = decodeURIComponent(String(h2['grpc-message']));
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => {});
    stream.on('end', () => {
      session.close();
      resolve({ status, message });
    });
    stream.end(frame);
  });
}

function framed(payload: Buffer, compressed: boolean): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(payload.length, 1);
  return Buffer.concat([prefix, payload]);
}

function traces(sessionId = 'grpc-s1', command = 'git status'): Buffer {
  return encodeOtlp('traces', [toolSpan(sessionId, command)], 'otlp_proto');
}

function logs(sessionId: string): Buffer {
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  const record: DecodedLogRecord = {
    signal: 'logs',
    resource: { 'service.name': 'claude-code', 'session.id': sessionId },
    scope: { name: 'com.anthropic.claude_code.events', version: '1' },
    timeUnixNano: now,
    observedTimeUnixNano: now,
    severityNumber: 9,
    severityText: 'INFO',
    body: 'claude_code.tool_result',
    attributes: { 'event.name': 'tool_result', 'session.id': sessionId, tool_name: 'Bash' },
    traceId: '',
    spanId: '',
    eventName: '',
  };
  return encodeOtlp('logs', [record], 'otlp_proto');
}

async function counter(metrics: Metrics, name: 'errors' | 'received' | 'sent', labels: Record<string, string>): Promise<number> {
  const values = (await metrics[name].get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k as keyof typeof v.labels] === want)).reduce((n, v) => n + v.value, 0);
}

/** `google.rpc.Status.details[0]` read as RetryInfo: the type and the delay in seconds. */
function retryInfo(err: ServiceError): { type: string; seconds: number } | undefined {
  const raw = err.metadata.get(STATUS_DETAILS_KEY)[0];
  if (!Buffer.isBuffer(raw)) return undefined;
  const fields = (bytes: Uint8Array): Map<number, Uint8Array | number> => {
    const reader = protobuf.Reader.create(bytes);
    const out = new Map<number, Uint8Array | number>();
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if ((tag & 7) === 2) out.set(tag >>> 3, reader.bytes());
      else out.set(tag >>> 3, Number(reader.int64()));
    }
    return out;
  };
  const any = fields(raw).get(3) as Uint8Array;
  const type = Buffer.from(fields(any).get(1) as Uint8Array).toString();
  const duration = fields(fields(fields(any).get(2) as Uint8Array).get(1) as Uint8Array);
  return { type, seconds: duration.get(1) as number };
}

describe('OTLP/gRPC receiver', () => {
  it('hands traces and logs to the transport as sent, in the token\'s tenant, and answers an empty response', async () => {
    const h = await serve();
    const spans = traces('grpc-s1');
    const records = logs('grpc-s1');
    const t = await call(h, 'traces', spans);
    const l = await call(h, 'logs', records, { gzip: true });
    assert.equal(t.err, undefined);
    assert.equal(l.err, undefined);
    assert.equal(t.response!.length, 0, 'no partial_success');
    await waitUntil(() => h.consumed.length === 2);
    const bySignal = new Map(h.consumed.map((m) => [m.signal, m]));
    assert.deepEqual(bySignal.get('traces')!.value, spans);
    assert.deepEqual(bySignal.get('logs')!.value, records, 'gzip inflated before the transport');
    for (const m of h.consumed) {
      assert.equal(m.encoding, 'otlp_proto');
      assert.equal(m.headers?.['warden-tenant'], 'acme');
    }
    assert.equal(await counter(h.metrics, 'received', { stage: 'grpc', signal: 'traces' }), 1);
    assert.equal(await counter(h.metrics, 'sent', { stage: 'grpc', signal: 'logs' }), 1);
  });

  it('refuses a span without valid ids through partial_success and sends the others on', async () => {
    const h = await serve();
    const good = toolSpan('grpc-partial', 'ls');
    const bad = { ...toolSpan('grpc-partial', 'ls'), spanId: '0000000000000000' };
    const { err, response } = await call(h, 'traces', encodeOtlp('traces', [good, bad], 'otlp_proto'));
    assert.equal(err, undefined);
    const partial = protobuf.Reader.create(response!);
    assert.equal(partial.uint32(), 0x0a);
    const inner = protobuf.Reader.create(partial.bytes());
    assert.equal(inner.uint32(), 0x08);
    assert.equal(Number(inner.int64()), 1, 'rejected_spans');
    assert.equal(inner.uint32(), 0x12);
    assert.match(inner.string(), /1 record\(s\) rejected: 1 × invalid trace or span id \(OTLP_INVALID_ID\)/);
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'OTLP_INVALID_ID' }), 1);
    assert.equal(await counter(h.metrics, 'sent', { stage: 'grpc', signal: 'traces' }), 1);
  });

  it('answers UNAUTHENTICATED without a token or with an unknown one, PERMISSION_DENIED without the ingest role; nothing sent', async () => {
    const h = await serve();
    const none = await call(h, 'traces', traces(), { token: null });
    const unknown = await call(h, 'traces', traces(), { token: 'not-a-token-of-this-warden' });
    const reader = await call(h, 'logs', logs('s'), { token: READER });
    assert.equal(none.err?.code, GrpcCode.UNAUTHENTICATED);
    assert.equal(unknown.err?.code, GrpcCode.UNAUTHENTICATED);
    assert.equal(reader.err?.code, GrpcCode.PERMISSION_DENIED);
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'UNAUTHENTICATED' }), 2);
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'FORBIDDEN' }), 1);
    assert.equal(h.consumed.length, 0);
  });

  it('takes unauthenticated ingest into the default tenant when no token is required', async () => {
    const h = await serve({ ingestRequiresToken: false });
    assert.equal((await call(h, 'traces', traces(), { token: null })).err, undefined);
    await waitUntil(() => h.consumed.length === 1);
    assert.equal(h.consumed[0]!.headers?.['warden-tenant'], 'default');
  });

  it('answers a malformed message INVALID_ARGUMENT, counts it and sends nothing', async () => {
    const h = await serve();
    const { err } = await call(h, 'traces', Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02]));
    assert.equal(err?.code, GrpcCode.INVALID_ARGUMENT);
    assert.equal(retryInfo(err!), undefined);
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'OTLP_DECODE_PROTO' }), 1);
    assert.equal(h.consumed.length, 0);
    assert.equal(await counter(h.metrics, 'received', { stage: 'grpc' }), 0);
  });

  it('answers a message that claims gzip but does not inflate INVALID_ARGUMENT (not the library\'s INTERNAL), counted', async () => {
    const h = await serve();
    const answer = await rawCall(h, SERVICE_PATHS.traces, framed(Buffer.from('not gzip at all'), true), { 'grpc-encoding': 'gzip' });
    assert.equal(answer.status, GrpcCode.INVALID_ARGUMENT, answer.message);
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'OTLP_GZIP' }), 1);
    assert.equal(h.consumed.length, 0);
  });

  it('answers too large — as sent, or once inflated — RESOURCE_EXHAUSTED without RetryInfo (not retryable), counted', async () => {
    const h = await serve({ maxMessageBytes: 4 * 1024, maxDecodedBytes: 2 * 1024 });
    const padded = (bytes: number) => encodeOtlp('traces', [toolSpan('big', 'x'.repeat(bytes))], 'otlp_proto');

    const sent = await call(h, 'traces', padded(8 * 1024));
    assert.equal(sent.err?.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.equal(retryInfo(sent.err!), undefined);
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'BODY_TOO_LARGE' }), 1);

    // 3 KiB inflated: within the library's bound (4 KiB), past the inflated limit (2 KiB).
    const inflated = await call(h, 'traces', padded(3 * 1024), { gzip: true });
    assert.equal(inflated.err?.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.equal(retryInfo(inflated.err!), undefined);
    // 1 MiB of zeros gzipped is about 1 KiB: the library stops inflating it at 4 KiB.
    const bomb = await rawCall(h, SERVICE_PATHS.logs, framed(zlib.gzipSync(Buffer.alloc(1024 * 1024)), true), { 'grpc-encoding': 'gzip' });
    assert.equal(bomb.status, GrpcCode.RESOURCE_EXHAUSTED);
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'OTLP_TOO_LARGE' }), 2);
    assert.equal(h.consumed.length, 0);
  });

  it('answers a full queue RESOURCE_EXHAUSTED with RetryInfo (retryable per the specification)', async () => {
    const h = await serve({}, { capacity: 10, consume: false });
    for (let i = 0; i < 10; i++) assert.equal((await call(h, 'traces', traces(`fill-${i}`))).err, undefined);
    const { err } = await call(h, 'traces', traces('one-too-many'));
    assert.equal(err?.code, GrpcCode.RESOURCE_EXHAUSTED);
    assert.deepEqual(retryInfo(err!), { type: RETRY_INFO_TYPE, seconds: 1 });
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'BACKPRESSURE' }), 1);
  });

  it('answers UNAVAILABLE with RetryInfo when the transport cannot take messages', async () => {
    const h = await serve();
    await h.transport.producer.close();
    const { err } = await call(h, 'logs', logs('down'));
    assert.equal(err?.code, GrpcCode.UNAVAILABLE);
    assert.deepEqual(retryInfo(err!), { type: RETRY_INFO_TYPE, seconds: 2 });
    assert.equal(await counter(h.metrics, 'errors', { stage: 'grpc', code: 'TRANSPORT_UNAVAILABLE' }), 1);
  });

  it('keyed by session (Kafka): a request mixing sessions becomes one message per session, keyed', async () => {
    const h = await serve({ sessionIdOf: (record) => String(record.resource['session.id'] ?? '') });
    const mixed = encodeOtlp('traces', [toolSpan('keyed-a', 'ls'), toolSpan('keyed-b', 'pwd'), toolSpan('keyed-a', 'id')], 'otlp_proto');
    assert.equal((await call(h, 'traces', mixed)).err, undefined);
    await waitUntil(() => h.consumed.length === 2);
    assert.deepEqual(h.consumed.map((m) => m.key).sort(), ['keyed-a', 'keyed-b']);
    assert.equal(await counter(h.metrics, 'sent', { stage: 'grpc', signal: 'traces' }), 3);
  });

  it('close() lets a call in flight finish, then refuses new ones', async () => {
    const h = await serve({}, { consume: false });
    // The queue's send is held until the close has begun: the call is in flight during the close.
    const send = h.transport.producer.send.bind(h.transport.producer);
    let release!: () => void;
    let entered!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sending = new Promise<void>((resolve) => (entered = resolve));
    h.transport.producer.send = async (messages) => {
      entered();
      await held;
      return send(messages);
    };
    const inFlight = call(h, 'traces', traces('closing'));
    await sending;
    const closed = h.server.close();
    release();
    assert.equal((await inFlight).err, undefined, 'the call in flight is answered');
    await closed;
    const after = await call(h, 'traces', traces('after-close'));
    assert.equal(after.err?.code, GrpcCode.UNAVAILABLE);
  });

  it('accepts and counts metrics without storing them', async () => {
    const h = await serve();
    const { err, response } = await call(h, 'metrics', Buffer.from([0x0a, 0x00]));
    assert.equal(err, undefined);
    assert.equal(response!.length, 0);
    assert.equal(await counter(h.metrics, 'received', { stage: 'grpc', signal: 'metrics' }), 1);
    assert.equal(h.consumed.length, 0);
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the transport');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
