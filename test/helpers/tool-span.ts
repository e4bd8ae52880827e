/**
 * One agent tool call as a GenAI `execute_tool` span (Bash, the command in the call arguments),
 * stamped now, with a fresh span id — what the end-to-end tests and benchmarks send.
 */
import type { DecodedSpan } from '../../decode/otlp/records.js';

let sequence = 0;

export function toolSpan(sessionId: string, command: string, resource: Record<string, string | string[]> = {}): DecodedSpan {
  sequence++;
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  return {
    signal: 'traces',
    resource: { 'service.name': 'coding-agent', 'session.id': sessionId, ...resource },
    scope: { name: 'warden-tests', version: '1' },
    traceId: sequence.toString(16).padStart(32, '0'),
    spanId: sequence.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'execute_tool Bash',
    kind: 1,
    startTimeUnixNano: now,
    endTimeUnixNano: now,
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Bash',
      'gen_ai.tool.call.arguments': JSON.stringify({ command }),
      'warden.action.cwd': '/home/dev/repo',
    },
    events: [],
    status: { code: 0, message: '' },
  };
}
