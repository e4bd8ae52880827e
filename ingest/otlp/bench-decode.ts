/**
 * Micro-benchmark of decodeOtlp (not a test): builds `spans` spans with 10 attributes and one
 * event each, encodes them as export requests of `batchSize` spans, then times decoding every
 * request. Returns the decode throughput. The project benchmark calls it.
 */
import type { Encoding } from '../transport/transport.js';
import type { Attributes, DecodedSpan } from './records.js';
import { decodeOtlp } from './decode.js';
import { encodeOtlp } from './encode.js';

export interface BenchDecodeOptions {
  /** Spans decoded per round (default 50,000). */
  spans?: number;
  /** Spans per export request (default 500). */
  batchSize?: number;
  encoding?: Encoding;
  /** Untimed warm-up rounds before the timed one (default 1). */
  warmupRounds?: number;
}

export interface BenchDecodeResult {
  spansPerSecond: number;
  spans: number;
  requests: number;
  bytes: number;
  seconds: number;
}

export function benchDecode(options: BenchDecodeOptions = {}): BenchDecodeResult {
  const spans = options.spans ?? 50_000;
  const batchSize = options.batchSize ?? 500;
  const encoding = options.encoding ?? 'otlp_proto';
  const requests = buildRequests(spans, batchSize, encoding);
  const bytes = requests.reduce((sum, r) => sum + r.length, 0);
  let decoded = 0;
  for (let round = 0; round < (options.warmupRounds ?? 1); round++) {
    for (const request of requests) decoded += decodeOtlp('traces', request, encoding).length;
  }
  const start = process.hrtime.bigint();
  decoded = 0;
  for (const request of requests) decoded += decodeOtlp('traces', request, encoding).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { spansPerSecond: Math.round(decoded / seconds), spans: decoded, requests: requests.length, bytes, seconds };
}

function buildRequests(total: number, batchSize: number, encoding: Encoding): Buffer[] {
  const resource: Attributes = { 'service.name': 'bench-agent', 'session.id': 'sess-bench' };
  const scope = { name: 'warden.bench', version: '1.0.0' };
  const base = 1_760_000_000_000_000_000n;
  const requests: Buffer[] = [];
  for (let offset = 0; offset < total; offset += batchSize) {
    const batch: DecodedSpan[] = [];
    for (let i = offset; i < Math.min(total, offset + batchSize); i++) {
      const start = base + BigInt(i) * 1_000_000n;
      batch.push({
        signal: 'traces',
        resource,
        scope,
        traceId: (i + 1).toString(16).padStart(32, '0'),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        parentSpanId: '',
        name: 'execute_tool Bash',
        kind: 1,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 500_000n).toString(),
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'Bash',
          'gen_ai.tool.call.id': `toolu_${i}`,
          'gen_ai.tool.call.arguments': `{"command":"ls -la /repo/src/${i}"}`,
          'session.id': 'sess-bench',
          'warden.action.phase': 'execution',
          'process.exit.code': 0,
          'duration.ms': 12.5,
          'retry': false,
          'warden.action.targets': ['/repo/src', `/repo/src/${i}`],
        },
        events: [{ name: 'tool.output', timeUnixNano: (start + 400_000n).toString(), attributes: { bytes: 1024 } }],
        status: { code: 1, message: '' },
      });
    }
    requests.push(encodeOtlp('traces', batch, encoding));
  }
  return requests;
}
