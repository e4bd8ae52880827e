/**
 * How normalize uses its collaborators: the classifier only for tool calls, its verdict copied
 * (targets merged with the harness's), its failure isolated to one event; a redactor failure
 * drops the record (never store unredacted) and is counted; metrics count received and sent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError } from '../lib/errors.js';
import { Metrics } from '../lib/metrics.js';
import type { ActionInput, Classification, Classifier } from './classify/classification.js';
import type { Redactor } from './redact/redaction.js';
import { createNormalizer } from './normalizer.js';
import { logRecord, realDeps, span } from './test-kit.js';

const verdict: Classification = {
  action_class: 'k8s.delete',
  destructive: true,
  reversible: false,
  severity: 'critical',
  blast_radius: 'namespace',
  targets: ['k8s://ctx/staging', 'k8s://ctx/a'],
  matches: [
    { rule_id: 'k8s-delete-namespace', action_class: 'k8s.delete', severity: 'critical', reversible: false, blast_radius: 'namespace', tags: [], matched: '' },
    { rule_id: 'k8s-delete', action_class: 'k8s.delete', severity: 'high', reversible: false, blast_radius: 'single', tags: [], matched: '' },
  ],
};

function recording(result: Classification | Error): { classifier: Classifier; calls: ActionInput[] } {
  const calls: ActionInput[] = [];
  return {
    calls,
    classifier: {
      classify(input) {
        calls.push(input);
        if (result instanceof Error) throw result;
        return result;
      },
    },
  };
}

const toolSpan = span({
  attributes: {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'kubectl',
    'warden.action.command': 'kubectl delete ns staging',
    'warden.action.cwd': '/repo',
    'warden.environment': 'staging',
    'warden.action.targets': ['k8s://ctx/a'],
    'gen_ai.tool.call.arguments': '{"namespace":"staging"}',
  },
});

describe('normalize: collaborators', () => {
  it('passes the tool call to the classifier and copies its verdict', () => {
    const { classifier, calls } = recording(verdict);
    const [event] = createNormalizer({ ...realDeps(), classifier }).normalize([toolSpan]);
    assert.deepEqual(calls, [{ tool: 'kubectl', command: 'kubectl delete ns staging', arguments: { namespace: 'staging' }, cwd: '/repo', environment: 'staging' }]);
    assert.equal(event!.action_class, 'k8s.delete');
    assert.equal(event!.destructive, true);
    assert.equal(event!.reversible, false);
    assert.equal(event!.severity, 'critical');
    assert.deepEqual(event!.rule_ids, ['k8s-delete-namespace', 'k8s-delete']);
    assert.deepEqual(event!.targets, ['k8s://ctx/a', 'k8s://ctx/staging'], 'harness targets first, then derived, no duplicates');
  });

  it('does not classify session and other records', () => {
    const { classifier, calls } = recording(verdict);
    const events = createNormalizer({ ...realDeps(), classifier }).normalize([
      span({ name: 'warden.session.start', attributes: { 'warden.action.command': 'rm -rf /' } }),
      span({ name: 'chat', attributes: { 'gen_ai.operation.name': 'chat' } }),
      logRecord({ body: 'claude_code.user_prompt', attributes: { prompt: 'hi' } }),
    ]);
    assert.equal(calls.length, 0);
    for (const e of events) assert.equal(e.action_class, 'none');
  });

  it('a classifier failure keeps the event, marked and counted', async () => {
    const metrics = new Metrics();
    const { classifier } = recording(new PermanentError('CLASSIFY_RULES_INVALID', 'cannot parse'));
    const [event] = createNormalizer({ ...realDeps(), classifier, metrics }).normalize([toolSpan]);
    assert.equal(event!.action_class, 'none');
    assert.equal(event!.command, 'kubectl delete ns staging');
    assert.equal(event!.attributes['warden.classify_error'], 'CLASSIFY_RULES_INVALID');
    const errors = (await metrics.errors.get()).values;
    assert.deepEqual(errors.map((v) => [v.labels.code, v.value]), [['CLASSIFY_RULES_INVALID', 1]]);
  });

  it('a redactor failure drops only that record, counted and reported', async () => {
    const metrics = new Metrics();
    const real = realDeps();
    const redactor: Redactor = {
      redact: (text) => {
        if (text.includes('explode')) throw new Error('redactor bug');
        return real.redactor.redact(text);
      },
      redactNamed: (name, value) => real.redactor.redactNamed(name, value),
    };
    const dropped: string[] = [];
    const normalizer = createNormalizer({ ...real, redactor, metrics, onRecordError: (err) => dropped.push(err.code) });
    const events = normalizer.normalize([
      span({ spanId: '01', attributes: { 'warden.session.goal': 'fine' } }),
      span({ spanId: '02', attributes: { 'warden.session.goal': 'explode' } }),
      logRecord(),
    ]);
    assert.deepEqual(events.map((e) => e.span_id), ['01', '']);
    assert.deepEqual(dropped, ['NORMALIZE_RECORD_FAILED']);
    const bySignal = async (c: typeof metrics.received) => (await c.get()).values.map((v) => `${v.labels.signal}=${v.value}`).sort();
    assert.deepEqual(await bySignal(metrics.received), ['logs=1', 'traces=2']);
    assert.deepEqual(await bySignal(metrics.sent), ['logs=1', 'traces=1']);
    assert.deepEqual((await metrics.errors.get()).values.map((v) => `${v.labels.code}=${v.value}`), ['NORMALIZE_RECORD_FAILED=1']);
  });

  it('works with a plain Redactor (no structured walker)', () => {
    const real = realDeps();
    const redactor: Redactor = { redact: (t) => real.redactor.redact(t), redactNamed: (n, v) => real.redactor.redactNamed(n, v) };
    const [event] = createNormalizer({ ...real, redactor }).normalize([
      span({ attributes: { 'gen_ai.tool.name': 'http', 'gen_ai.tool.call.arguments': '{"headers":{"password":"hunter2hunter2"}}' } }),
    ]);
    assert.ok(!JSON.stringify(event).includes('hunter2hunter2'));
  });
});
