/**
 * The benchmark's synthetic agent traffic: sessions of spans shaped like a coding agent's — 70%
 * `execute_tool` spans whose commands are drawn from the labelled classification corpus (so the
 * classifier sees the real mix of destructive and benign commands, several hundred distinct),
 * 30% `chat` spans that carry no action — encoded as OTLP export requests the way the OTel
 * Collector's Kafka exporter writes them (protobuf, one request per message, keyed by session,
 * the spans of a request under one resource).
 */
import { encodeOtlp } from '../decode/otlp/index.js';
import type { DecodedSpan } from '../decode/otlp/records.js';
import type { TransportMessage } from '../receive/transport/transport.js';
import { loadCorpus } from '../normalize/classify/corpus-cases.js';

export interface Workload {
  messages: TransportMessage[];
  spans: number;
  bytes: number;
  distinctCommands: number;
}

export function buildWorkload(options: { sessions: number; requestsPerSession: number; spansPerRequest: number }): Workload {
  const commands = loadCorpus()
    .map((c) => c.input.command)
    .filter((c) => c !== '');
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const messages: TransportMessage[] = [];
  let n = 0;
  let bytes = 0;
  for (let request = 0; request < options.requestsPerSession; request++) {
    for (let session = 0; session < options.sessions; session++) {
      const sessionId = `bench-${session}`;
      // One resource and scope per request, as an SDK or the Collector groups them: the
      // session's spans come from one process.
      const resource = { 'service.name': 'coding-agent', 'session.id': sessionId, 'host.name': 'dev-box-1' };
      const scope = { name: 'agent-harness', version: '1.0.0' };
      const spans: DecodedSpan[] = [];
      for (let i = 0; i < options.spansPerRequest; i++) {
        n++;
        const tool = n % 10 < 7;
        const command = commands[(n * 7919) % commands.length]!;
        spans.push({
          signal: 'traces',
          resource,
          scope,
          traceId: (session + 1).toString(16).padStart(32, '0'),
          spanId: n.toString(16).padStart(16, '0'),
          parentSpanId: '',
          name: tool ? 'execute_tool Bash' : 'chat claude-sonnet',
          kind: tool ? 1 : 3,
          startTimeUnixNano: (startNs + BigInt(n) * 1000n).toString(),
          endTimeUnixNano: (startNs + BigInt(n) * 1000n + 500n).toString(),
          attributes: tool
            ? {
                'gen_ai.operation.name': 'execute_tool',
                'gen_ai.tool.name': 'Bash',
                'gen_ai.tool.call.id': `toolu_${n}`,
                'gen_ai.tool.call.arguments': JSON.stringify({ command }),
                'warden.action.cwd': '/home/dev/repo',
              }
            : { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet', 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300 },
          events: [],
          status: { code: 0, message: '' },
        });
      }
      const value = encodeOtlp('traces', spans, 'otlp_proto');
      bytes += value.length;
      messages.push({ signal: 'traces', encoding: 'otlp_proto', key: sessionId, value });
    }
  }
  return { messages, spans: n, bytes, distinctCommands: new Set(commands).size };
}
