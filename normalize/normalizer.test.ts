/**
 * Normalizer behaviour as data: one decoded record (plus the ingest context) in, the AuditEvent
 * fields it must produce. Identity precedence, phase, tool-call fields, list parsing, outcome,
 * times and kept attributes. Runs with the real classifier and redactor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../model/audit-event.js';
import type { DecodedRecord } from '../decode/otlp/records.js';
import { createNormalizer } from './normalizer.js';
import { logRecord, realDeps, span } from './test-kit.js';

interface Case {
  name: string;
  record: DecodedRecord;
  ctx?: { tenant?: string };
  defaultTenant?: string;
  expect: Partial<AuditEvent>;
  attributes?: Record<string, string | undefined>;
}

const tool = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash' };
const NOW = '1767225600000000000'; // FakeClock default, in ns

const cases: Case[] = [
  // identity
  {
    name: 'session.id beats gen_ai.conversation.id; record beats resource',
    record: span({ attributes: { ...tool, 'gen_ai.conversation.id': 'conv', 'session.id': 'sess' }, resource: { 'session.id': 'res' } }),
    expect: { session_id: 'sess' },
  },
  { name: 'session from the resource', record: span({ resource: { 'gen_ai.conversation.id': 'r-conv' } }), expect: { session_id: 'r-conv' } },
  { name: 'session from conversation.id', record: logRecord({ attributes: { 'conversation.id': 'cx' } }), expect: { session_id: 'cx' } },
  { name: 'session from a kvlist log body', record: logRecord({ body: { 'session.id': 'in-body', note: 'x' } }), expect: { session_id: 'in-body' }, attributes: { 'body.note': 'x' } },
  { name: 'a tool span without a session id → the trace, marked as such', record: span({ attributes: tool }), expect: { session_id: 'trace:0af7651916cd43dd8448eb211c80319c' } },
  { name: 'a span that is not a tool call, without a session id → empty', record: span({ name: 'chat', attributes: { 'gen_ai.operation.name': 'chat' } }), expect: { session_id: '' } },
  { name: 'a tool log record without a session id → empty (a log has no trace to fall back on)', record: logRecord({ attributes: tool }), expect: { session_id: '' } },
  { name: 'the receiver\'s tenant beats the resource (kept as evidence)', record: span({ resource: { 'warden.tenant': 'acme' } }), ctx: { tenant: 'tok' }, expect: { tenant: 'tok' }, attributes: { 'resource.warden.tenant': 'acme' } },
  { name: 'tenant from the resource when no receiver named one (Collector → Kafka)', record: span({ resource: { 'warden.tenant': 'acme' } }), expect: { tenant: 'acme' }, attributes: { 'resource.warden.tenant': undefined } },
  { name: 'a resource naming the receiver\'s tenant is consumed', record: span({ resource: { 'warden.tenant': 'tok' } }), ctx: { tenant: 'tok' }, expect: { tenant: 'tok' }, attributes: { 'resource.warden.tenant': undefined } },
  { name: 'tenant from the token', record: span(), ctx: { tenant: 'tok' }, expect: { tenant: 'tok' } },
  { name: 'tenant default', record: span(), expect: { tenant: 'default' } },
  { name: 'configured default tenant', record: span(), defaultTenant: 'solo', expect: { tenant: 'solo' } },
  { name: 'tenant only from the resource, not a record attribute', record: span({ attributes: { 'warden.tenant': 'evil' } }), ctx: { tenant: 'tok' }, expect: { tenant: 'tok' } },
  {
    name: 'agent: gen_ai.agent.id beats gen_ai.agent.name beats service.name',
    record: span({ attributes: { 'gen_ai.agent.name': 'n' }, resource: { 'service.name': 'svc', 'gen_ai.agent.id': 'id-1' } }),
    expect: { agent_id: 'id-1' },
    attributes: { 'gen_ai.agent.name': 'n', 'resource.service.name': 'svc' },
  },
  { name: 'agent from service.name', record: span({ resource: { 'service.name': 'svc' } }), expect: { agent_id: 'svc' }, attributes: { 'resource.service.name': undefined } },
  { name: 'user: user.id beats user.email beats enduser.id', record: span({ attributes: { 'enduser.id': 'e', 'user.email': 'm@x.io', 'user.id': 'u' } }), expect: { user_id: 'u' } },
  { name: 'user from enduser.id', record: span({ attributes: { 'enduser.id': 'e' } }), expect: { user_id: 'e' } },
  // phase and kinds
  { name: 'execute_tool span defaults to execution', record: span({ attributes: tool }), expect: { phase: 'execution', tool: 'Bash' } },
  { name: 'warden.action.phase intent', record: span({ attributes: { ...tool, 'warden.action.phase': 'intent' } }), expect: { phase: 'intent' } },
  { name: 'unknown phase value falls back to execution', record: span({ attributes: { ...tool, 'warden.action.phase': 'maybe' } }), expect: { phase: 'execution' } },
  { name: 'gen_ai.tool.name alone makes a tool call', record: logRecord({ attributes: { 'gen_ai.tool.name': 'sql' } }), expect: { phase: 'execution', tool: 'sql', source: 'otel' } },
  { name: 'warden.session.start span → session', record: span({ name: 'warden.session.start', attributes: { 'warden.session.goal': 'ship it' } }), expect: { phase: 'session', goal: 'ship it', tool: '', action_class: 'none' } },
  { name: 'warden.session.start log event → session', record: logRecord({ eventName: 'warden.session.start' }), expect: { phase: 'session', name: 'warden.session.start' } },
  {
    name: 'chat span: execution, no tool, not classified',
    record: span({ name: 'chat gpt-5', attributes: { 'gen_ai.operation.name': 'chat', 'warden.action.targets': '/etc' } }),
    expect: { phase: 'execution', tool: '', action_class: 'none', severity: 'none', destructive: false, targets: [] },
    attributes: { 'warden.action.targets': '/etc' },
  },
  // tool call fields
  {
    name: 'warden.action.command beats arguments.command; arguments kept as JSON',
    record: span({ attributes: { ...tool, 'warden.action.command': 'ls -la', 'gen_ai.tool.call.arguments': '{"command":"pwd"}' } }),
    expect: { command: 'ls -la', arguments: '{"command":"pwd"}' },
  },
  { name: 'command from arguments.script, cwd from workdir', record: span({ attributes: { ...tool, 'gen_ai.tool.call.arguments': '{"script":"make","workdir":"/w"}' } }), expect: { command: 'make', cwd: '/w' } },
  { name: 'warden.action.cwd beats arguments.cwd', record: span({ attributes: { ...tool, 'warden.action.cwd': '/a', 'gen_ai.tool.call.arguments': '{"cwd":"/b"}' } }), expect: { cwd: '/a' } },
  { name: 'argv command is joined', record: span({ attributes: { ...tool, 'gen_ai.tool.call.arguments': '{"command":["echo","a b"]}' } }), expect: { command: "echo 'a b'" } },
  { name: 'arguments that are not JSON are kept as text', record: span({ attributes: { ...tool, 'gen_ai.tool.call.arguments': 'not json' } }), expect: { arguments: 'not json', command: '' } },
  { name: 'kvlist arguments', record: span({ attributes: { ...tool, 'gen_ai.tool.call.arguments': { command: 'id' } } }), expect: { command: 'id', arguments: '{"command":"id"}' } },
  { name: 'tool call id', record: span({ attributes: { ...tool, 'gen_ai.tool.call.id': 'c-9' } }), expect: { tool_call_id: 'c-9' } },
  { name: 'targets as an array', record: span({ attributes: { ...tool, 'warden.action.targets': ['k8s://c/ns', 'git://origin/refs/heads/x'] } }), expect: { targets: ['k8s://c/ns', 'git://origin/refs/heads/x'] } },
  { name: 'scope as JSON text and comma-separated text', record: span({ attributes: { 'warden.scope.allow': '["/a/**","/b"]', 'warden.scope.deny': ' /etc/** , k8s://*/prod ' } }), expect: { scope_allow: ['/a/**', '/b'], scope_deny: ['/etc/**', 'k8s://*/prod'] } },
  { name: 'environment', record: span({ attributes: tool, resource: { 'warden.environment': 'prod' } }), expect: { environment: 'prod' } },
  // outcome
  { name: 'span status error', record: span({ attributes: tool, status: { code: 2, message: 'boom' } }), expect: { status: 'error' }, attributes: { 'span.status_message': 'boom' } },
  { name: 'span status ok', record: span({ attributes: tool, status: { code: 1, message: '' } }), expect: { status: 'ok' } },
  { name: 'exit code 0 → ok', record: span({ attributes: { ...tool, 'process.exit.code': 0 } }), expect: { status: 'ok', exit_code: 0 } },
  { name: 'exit code as text 137 → error', record: span({ attributes: { ...tool, 'process.exit.code': '137' } }), expect: { status: 'error', exit_code: 137 } },
  { name: 'error.type → error', record: span({ attributes: { ...tool, 'error.type': 'timeout' } }), expect: { status: 'error', error_type: 'timeout' } },
  { name: 'nothing → unset', record: span({ attributes: tool }), expect: { status: 'unset', exit_code: null } },
  // times
  { name: 'span times', record: span({ startTimeUnixNano: '5', endTimeUnixNano: '9' }), expect: { time_ns: '5', end_time_ns: '9', observed_ns: NOW } },
  { name: 'log time and observed', record: logRecord({ timeUnixNano: '7', observedTimeUnixNano: '8' }), expect: { time_ns: '7', end_time_ns: '7', observed_ns: '8' } },
  { name: 'log without time uses observed', record: logRecord({ timeUnixNano: '0', observedTimeUnixNano: '8' }), expect: { time_ns: '8', observed_ns: '8' } },
  { name: 'log without either uses the clock', record: logRecord({ timeUnixNano: '0', observedTimeUnixNano: '0' }), expect: { time_ns: NOW, observed_ns: NOW } },
  // kept attributes
  {
    name: 'unknown attributes kept and stringified',
    record: span({
      attributes: { n: 3, b: true, list: ['x', 1], obj: { k: 'v' }, bytes: new Uint8Array([1, 2, 3]) },
      resource: { 'host.name': 'h1' },
      scope: { name: 'lib', version: '1' },
    }),
    expect: {},
    attributes: { n: '3', b: 'true', list: '["x",1]', obj: '{"k":"v"}', bytes: 'AQID', 'resource.host.name': 'h1', 'scope.name': 'lib' },
  },
  { name: 'plain log body kept as body', record: logRecord({ body: 'something happened' }), expect: { name: '' }, attributes: { body: 'something happened' } },
  { name: 'ids copied', record: span({ traceId: 'aa', spanId: 'bb', parentSpanId: 'cc' }), expect: { trace_id: 'aa', span_id: 'bb', parent_span_id: 'cc', signal: 'traces' } },
];

describe('normalize: one record → AuditEvent fields', () => {
  for (const c of cases) {
    it(c.name, () => {
      const normalizer = createNormalizer({ ...realDeps(), ...(c.defaultTenant ? { defaultTenant: c.defaultTenant } : {}) });
      const [event, ...rest] = normalizer.normalize([c.record], c.ctx);
      assert.ok(event, 'an event');
      assert.equal(rest.length, 0);
      for (const [key, want] of Object.entries(c.expect)) assert.deepEqual(event[key as keyof AuditEvent], want, key);
      for (const [key, want] of Object.entries(c.attributes ?? {})) assert.equal(event.attributes[key], want, `attributes.${key}`);
    });
  }
});
