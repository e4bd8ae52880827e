/**
 * The incident report never shows a secret, even one stored before a redaction rule knew it (a
 * tool name, a command, a revocation reason, a finding's title in old rows): the finished report
 * is redacted, and what it is about stays readable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../model/audit-event.js';
import { renderIncidentJson, renderIncidentMarkdown, type IncidentData } from './incident-report.js';

const TOKEN = 'ghp_' + 'Ol4RowSt0redB3foreRul3sVq8Lm2Pz9Rt4Vw';
const PASSWORD = 'Amber' + 'Kettle-93';

const event: AuditEvent & { at: string } = {
  event_id: 'e1', tenant: 'acme', session_id: 's-old', agent_id: 'coding-agent', user_id: '', source: 'otel', signal: 'traces',
  name: 'execute_tool', trace_id: '', span_id: '', parent_span_id: '', phase: 'execution', tool: `Bash ${TOKEN}`, tool_call_id: 't1',
  command: `rm -rf /srv/data && htpasswd -b /etc/nginx/.htpasswd admin ${PASSWORD}`, arguments: '{}', cwd: '/srv', targets: ['/srv/data'],
  action_class: 'fs.delete', rule_ids: ['fs.rm_recursive'], destructive: true, reversible: false, severity: 'high', environment: '', goal: '',
  scope_allow: [], scope_deny: [], decision: '', status: 'ok', exit_code: 0, error_type: '', time_ns: '1767225600000000000',
  end_time_ns: '1767225600000000000', observed_ns: '1767225600000000000', attributes: {}, redactions: 0, at: '2026-01-01T00:00:00Z',
};

const data: IncidentData = {
  session: {
    id: 's-old', tenant: 'acme', agent: 'coding-agent', user: '', environment: 'prod', state: 'revoked', goal: `deploy with ${TOKEN}`,
    scope: { allow: ['src/**'], deny: [] }, counts: { events: 1, intents: 0, executions: 1, destructive: 1 },
    revoked: { at: '2026-01-01T00:00:01Z', by: 'operator:kim', reason: `leaked ${TOKEN}`, finding_id: null },
    first_seen: '2026-01-01T00:00:00Z', last_seen: '2026-01-01T00:00:01Z', live: false,
  },
  findings: [{
    id: 'f1', tenant: 'acme', session_id: 's-old', agent_id: 'coding-agent', detector: 'destructive_burst', severity: 'high', score: 0.9,
    title: `Activity after revocation: Bash ${TOKEN}`, explanation: `Latest: ${event.command}.`, evidence: ['e1'], rule: 'post_revocation_activity', target: '', why: '', instead: '', at: '2026-01-01T00:00:01Z',
  }],
  blastRadius: { session_id: 's-old', targets: 1, destructive_targets: 1, kinds: [] },
  timeline: [{ kind: 'call', at: event.at, tool_call_id: 't1', intent: null, execution: event, related: [] }],
  generatedAt: '2026-01-02T00:00:00Z',
};

test('a report made from rows stored before redaction shows no secret, and still says what happened', () => {
  const report = renderIncidentMarkdown(data);
  assert.equal(report.includes(TOKEN), false, report);
  assert.equal(report.includes(PASSWORD), false, report);
  assert.match(report, /# Incident report: session `s-old`/);
  assert.match(report, /leaked \[REDACTED:github_token\]/);
  assert.match(report, /htpasswd -b \/etc\/nginx\/\.htpasswd admin \[REDACTED:password_assignment\]/);
  assert.match(report, /\| executed \(no intent\) \| Bash \[REDACTED:github_token\] \| `rm -rf \/srv\/data && htpasswd -b \/etc\/nginx\/\.htpasswd admin \[REDACTED:password_assignment\]` \| \/srv\/data \| ok \|/);
});

test('the JSON form is redacted too and stays JSON of the same shape', () => {
  const json = renderIncidentJson(data);
  assert.equal(json.includes(TOKEN), false, json);
  assert.equal(json.includes(PASSWORD), false, json);
  const parsed = JSON.parse(json) as IncidentData;
  assert.equal(parsed.session.revoked?.reason, 'leaked [REDACTED:github_token]');
  assert.equal(parsed.findings.length, 1);
  assert.ok(json.startsWith('{\n  "session": {\n'), 'still indented');
});
