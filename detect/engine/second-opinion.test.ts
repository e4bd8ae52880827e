/**
 * The engine asking the external judge, against a real HTTP judge on 127.0.0.1: a borderline
 * goal_deviation finding goes out at once and, when the judge confirms it, a follow-up one level
 * more severe reaches the same handler (where the kill-switch policy decides); "no", a doubtful
 * "yes", a judge that is down or too slow change nothing but a counter; findings that are not
 * borderline, replayed findings and sessions whose resolved config has no judge never call it;
 * calls beyond the limit are dropped and counted; `drain` waits for the calls in flight.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../model/audit-event.js';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { rfc3339Ns } from '../../lib/rfc3339.js';
import type { Finding } from '../../model/finding.js';
import type { JudgeRequest } from '../goal-deviation/index.js';
import { goalDeviationFactory } from '../goal-deviation/index.js';
import { decide } from '../../respond/kill-switch/decide.js';
import { defaultPolicy, parsePolicyText } from '../policy/load-policy.js';
import type { Policy } from '../policy/policy-types.js';
import { SessionRegistry } from '../session/session-registry.js';
import { newSession, stepEvent } from '../testing/scenario.js';
import { DetectionEngine, type JudgeOptions } from './detection-engine.js';
import { followUpId } from './finding-id.js';
import { judgedFollowUp } from './second-opinion.js';

const START = Date.UTC(2026, 10, 21, 9);
const GOAL = 'fix the staging deploy config';
/** Under GOAL: a goal_deviation finding, medium, score 0.6 — inside the default band 0.3..0.7. */
const BORDERLINE = 'kubectl apply -f deploy.yaml -n production';
/** Under "list unused instances": high, score 1 — far outside the band. */
const CLEAR = 'aws ec2 terminate-instances --instance-ids i-0abc';
const SAYS = 'the goal is about staging; applying to production is not part of it';

interface Received {
  url: string;
  body: JudgeRequest;
}

const received: Received[] = [];
const held: http.ServerResponse[] = [];
const arrivals: (() => void)[] = [];
let base = '';

const verdicts: Record<string, object> = {
  '/deviates': { deviates: true, confidence: 0.9, explanation: SAYS },
  '/no': { deviates: false, confidence: 0.95, explanation: 'production is the staging cluster here' },
  '/unsure': { deviates: true, confidence: 0.4, explanation: 'maybe' },
};

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const url = req.url ?? '/';
    received.push({ url, body: JSON.parse(body) as JudgeRequest });
    arrivals.shift()?.();
    const verdict = verdicts[new URL(url, 'http://judge').pathname];
    if (verdict) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdict));
    else held.push(res); // answered by `release`, or never: the client times out
  });
});

/** Resolves when the judge has received the next request. */
const nextArrival = (): Promise<void> => new Promise((resolve) => arrivals.push(resolve));
const release = (res: http.ServerResponse): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdicts['/deviates']));
const requestsTo = (tag: string): Received[] => received.filter((r) => r.url.includes(`t=${tag}`));

function judgePolicy(url: string, extra = ''): Policy {
  return parsePolicyText(`version: 1\ndetectors:\n  goal_deviation:\n    judge: { url: '${url}', timeout_ms: 2000 }\n${extra}`, 'test', [goalDeviationFactory]);
}

function setup(policy: Policy, judge: JudgeOptions = {}) {
  const clock = new FakeClock(START);
  const metrics = new Metrics();
  const registry = new SessionRegistry({ clock });
  const found: Finding[] = [];
  const revoking: boolean[] = [];
  const engine = new DetectionEngine({
    registry,
    policy,
    clock,
    logger: silentLogger,
    metrics,
    judge,
    onFinding: (f, s, p) => {
      found.push(f);
      revoking.push(decide(f, s, p.kill_switch).revoke);
    },
  });
  let i = 0;
  const make = (command: string, goal = GOAL, name = 'judged', tenant = 'default'): AuditEvent => {
    clock.advance(200);
    const session = newSession({ name, session: { tenant }, steps: [] }, START);
    return stepEvent({ command, set: { goal } }, i++, session, clock.now());
  };
  const outcomes = async (): Promise<string> => metrics.registry.getSingleMetricAsString('warden_judge_requests_total');
  return { clock, metrics, engine, found, revoking, make, outcomes };
}

describe('DetectionEngine with the external judge', () => {
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('emits a borderline finding at once and, when the judge confirms it, a follow-up one level higher', async () => {
    const t = setup(judgePolicy(`${base}/deviates?t=yes`));
    const event = t.make(BORDERLINE);
    await t.engine.consume([event]);
    assert.equal(t.found.length, 1, 'detection did not wait for the judge');
    const [original] = t.found as [Finding];
    assert.deepEqual([original.detector, original.severity, original.score], ['goal_deviation', 'medium', 0.6]);

    t.clock.advance(60_000);
    await t.engine.drain();
    assert.equal(t.found.length, 2);
    const followUp = t.found[1]!;
    assert.equal(followUp.detector, 'goal_deviation');
    assert.equal(followUp.severity, 'high');
    assert.equal(followUp.score, 0.9);
    assert.equal(followUp.id, followUpId(original, 'judge'));
    assert.notEqual(followUp.id, original.id);
    assert.match(followUp.id, /^[0-9a-f]{32}$/);
    assert.ok(followUp.explanation.startsWith(original.explanation));
    assert.ok(followUp.explanation.includes(SAYS), followUp.explanation);
    assert.match(followUp.explanation, /confidence 0\.90.*raised from medium to high/);
    assert.deepEqual(followUp.evidence, ['judge:deviates,confidence=0.90', `finding:${original.id}`, event.event_id]);
    assert.equal(followUp.at, rfc3339Ns(t.clock.nowNs()), 'the time the judge answered');
    assert.deepEqual(t.revoking, [false, true], 'the policy (revoke_at high) revokes on the follow-up only');

    const [sent] = requestsTo('yes');
    assert.equal(sent?.body.goal, GOAL);
    assert.equal(sent?.body.action.command, BORDERLINE);
    assert.equal(sent?.body.reason, original.explanation);
    assert.match(await t.outcomes(), /outcome="deviates"\} 1/);
  });

  it('gives the follow-up the same id on another instance', async () => {
    const ids: string[] = [];
    for (const _ of [1, 2]) {
      const t = setup(judgePolicy(`${base}/deviates?t=again`));
      await t.engine.consume([t.make(BORDERLINE)]);
      await t.engine.drain();
      ids.push(t.found[1]!.id);
    }
    assert.equal(ids[0], ids[1]);
  });

  for (const [path, outcome] of [['/no', 'does_not_deviate'], ['/unsure', 'low_confidence']] as const) {
    it(`keeps the finding as it is when the judge answers ${outcome}`, async () => {
      const t = setup(judgePolicy(`${base}${path}?t=${outcome}`));
      await t.engine.consume([t.make(BORDERLINE)]);
      await t.engine.drain();
      assert.equal(requestsTo(outcome).length, 1);
      assert.deepEqual(t.found.map((f) => f.severity), ['medium']);
      assert.match(await t.outcomes(), new RegExp(`outcome="${outcome}"\\} 1`));
    });
  }

  it('takes min_confidence from the resolved config', async () => {
    const t = setup(parsePolicyText(
      `version: 1\ndetectors:\n  goal_deviation:\n    judge: { url: '${base}/unsure?t=lenient', timeout_ms: 2000, min_confidence: 0.3 }\n`, 'test', [goalDeviationFactory]));
    await t.engine.consume([t.make(BORDERLINE)]);
    await t.engine.drain();
    assert.deepEqual(t.found.map((f) => f.severity), ['medium', 'high']);
  });

  it('counts a judge that is down or slower than its timeout, and carries on', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/deviates`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    for (const [url, timeout] of [[downUrl, 2000], [`${base}/hang?t=slow`, 50]] as const) {
      const t = setup(parsePolicyText(`version: 1\ndetectors:\n  goal_deviation:\n    judge: { url: '${url}', timeout_ms: ${timeout} }\n`, 'test', [goalDeviationFactory]));
      await t.engine.consume([t.make(BORDERLINE)]);
      await t.engine.drain();
      assert.deepEqual(t.found.map((f) => f.severity), ['medium'], url);
      assert.match(await t.outcomes(), /outcome="error"\} 1/, url);
      assert.match(await t.metrics.registry.getSingleMetricAsString('warden_errors_total'), /stage="judge",code="JUDGE_UNAVAILABLE"\} 1/, url);
      await t.engine.consume([t.make('git status')]);
      assert.equal(t.found.length, 1);
    }
    assert.equal(requestsTo('slow').length, 1);
  });

  it('never asks about a finding outside the borderline band', async () => {
    const t = setup(judgePolicy(`${base}/deviates?t=clear`));
    await t.engine.consume([t.make(CLEAR, 'list unused instances')]);
    await t.engine.drain();
    assert.deepEqual(t.found.map((f) => [f.severity, f.score]), [['high', 1]]);
    assert.equal(requestsTo('clear').length, 0);
    assert.doesNotMatch(await t.outcomes(), /outcome=/);
  });

  it('never asks when no judge is configured (the default)', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const t = setup(defaultPolicy(), { fetch: counting });
    await t.engine.consume([t.make(BORDERLINE)]);
    await t.engine.drain();
    assert.ok(t.found.some((f) => f.detector === 'goal_deviation' && f.score === 0.6), 'the borderline finding still fires');
    assert.equal(calls, 0);
    assert.doesNotMatch(await t.outcomes(), /outcome=/);
  });

  it('follows the config resolved for the tenant', async () => {
    const policy = parsePolicyText(
      `version: 1\noverrides:\n  - tenant: acme\n    detectors:\n      goal_deviation:\n        judge: { url: '${base}/deviates?t=acme', timeout_ms: 2000 }\n`, 'test', [goalDeviationFactory]);
    const t = setup(policy);
    await t.engine.consume([t.make(BORDERLINE, GOAL, 'other', 'default'), t.make(BORDERLINE, GOAL, 'theirs', 'acme')]);
    await t.engine.drain();
    assert.deepEqual(t.found.map((f) => [f.tenant, f.severity]), [['default', 'medium'], ['acme', 'medium'], ['acme', 'high']]);
    assert.equal(requestsTo('acme').length, 1);
  });

  it('asks nothing about replayed or redelivered findings', async () => {
    const t = setup(judgePolicy(`${base}/deviates?t=replay`));
    const event = t.make(BORDERLINE);
    t.engine.replay([event]);
    await t.engine.consume([event]);
    await t.engine.drain();
    assert.equal(t.found.length, 0);
    assert.equal(requestsTo('replay').length, 0);
  });

  it('runs at most maxInFlight calls, drops and counts the rest, and drain waits for the one in flight', async () => {
    const t = setup(judgePolicy(`${base}/hold?t=busy`), { maxInFlight: 1 });
    const arrived = nextArrival();
    await t.engine.consume(['a', 'b', 'c'].map((name) => t.make(BORDERLINE, GOAL, `busy-${name}`)));
    assert.equal(t.found.length, 3);
    assert.match(await t.outcomes(), /outcome="dropped"\} 2/);
    await arrived;
    const drained = t.engine.drain();
    release(held.pop()!);
    await drained;
    assert.equal(requestsTo('busy').length, 1);
    assert.deepEqual(t.found.map((f) => f.severity), ['medium', 'medium', 'medium', 'high']);
    assert.equal(t.found[3]!.session_id, 'scenario-busy-a');
    assert.match(await t.outcomes(), /outcome="deviates"\} 1/);
  });
});

describe('judgedFollowUp', () => {
  const original: Finding = {
    id: 'f'.repeat(32), tenant: 't', session_id: 's', agent_id: 'a', detector: 'goal_deviation', severity: 'critical', score: 0.65,
    title: 'Goal deviation: x', explanation: 'Why.', evidence: ['e1', 'e2'], rule: 'goal_deviation/escalation', target: '', why: '', instead: '', at: '2026-11-21T09:00:00.000000000Z',
  };

  it('caps the severity at critical and says so', () => {
    const f = judgedFollowUp(original, { deviates: true, confidence: 0.5, explanation: '' }, 0n);
    assert.equal(f.severity, 'critical');
    assert.equal(f.score, 0.65);
    assert.match(f.explanation, /gave no explanation\. Severity stays critical/);
    assert.deepEqual(f.evidence.slice(-2), ['e1', 'e2'], 'the triggering event stays last');
  });

  it('clips a long judge explanation', () => {
    const f = judgedFollowUp(original, { deviates: true, confidence: 0.8, explanation: 'x '.repeat(2000) }, 0n);
    assert.ok(f.explanation.length < 600, `${f.explanation.length}`);
  });
});
