/**
 * The external judge client against a real HTTP server on 127.0.0.1: the request it sends, a
 * verdict it reads, and each failure mapped to a stable code (retryable or not).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { errorCode, isRetryable } from '../../lib/errors.js';
import type { FindingDraft } from '../../model/finding.js';
import { createJudgeClient, isBorderline, judgeRequestFor, type JudgeRequest } from './judge-client.js';
import { GOAL_DEVIATION_DEFAULTS } from './config.js';
import { stepEvent, newSession } from '../testing/scenario.js';

const received: unknown[] = [];
const held: http.ServerResponse[] = [];
let base = '';

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push(JSON.parse(body));
    const reply = (status: number, text: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    switch (req.url) {
      case '/ok': return reply(200, JSON.stringify({ deviates: true, confidence: 0.8, explanation: 'terminating is not listing' }));
      case '/down': return reply(503, '{}');
      case '/bad-request': return reply(400, '{"error":"no"}');
      case '/not-json': return reply(200, 'yes');
      case '/wrong-shape': return reply(200, JSON.stringify({ deviates: 'maybe', confidence: 2 }));
      default: held.push(res); // never answers: the client must time out
    }
  });
});

const judge = (path: string, timeout_ms = 2000) => createJudgeClient({ ...GOAL_DEVIATION_DEFAULTS.judge, url: `${base}${path}`, timeout_ms });

const session = newSession({ name: 'j', steps: [] }, 0);
const event = stepEvent({ command: 'aws ec2 terminate-instances --instance-ids i-1' }, 0, session, 0);
const draft: FindingDraft = { severity: 'high', score: 0.5, title: 't', explanation: 'goal implies read-only', evidence: [event.event_id] };
const request: JudgeRequest = judgeRequestFor('list unused instances', event, draft);

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected the judge call to fail');
}

describe('judge client', () => {
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const res of held) res.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('POSTs goal, action and reason and reads the verdict', async () => {
    const verdict = await judge('/ok').judge(request);
    assert.deepEqual(verdict, { deviates: true, confidence: 0.8, explanation: 'terminating is not listing' });
    const sent = received.at(-1) as JudgeRequest;
    assert.equal(sent.goal, 'list unused instances');
    assert.equal(sent.action.action_class, 'cloud.delete');
    assert.equal(sent.action.destructive, true);
    assert.equal(sent.reason, 'goal implies read-only');
  });
  it('maps failures to stable codes', async () => {
    const cases: [string, string, boolean][] = [
      ['/down', 'JUDGE_UNAVAILABLE', true], ['/bad-request', 'JUDGE_REJECTED', false],
      ['/not-json', 'JUDGE_BAD_RESPONSE', false], ['/wrong-shape', 'JUDGE_BAD_RESPONSE', false],
    ];
    for (const [path, code, retryable] of cases) {
      const err = await failure(judge(path).judge(request));
      assert.equal(errorCode(err), code, path);
      assert.equal(isRetryable(err), retryable, path);
    }
  });
  it('times out as a retryable error', async () => {
    const err = await failure(judge('/hang', 50).judge(request));
    assert.equal(errorCode(err), 'JUDGE_UNAVAILABLE');
    assert.ok(isRetryable(err));
  });
  it('is off by default', async () => {
    const client = createJudgeClient(GOAL_DEVIATION_DEFAULTS.judge);
    assert.equal(client.enabled, false);
    assert.equal(errorCode(await failure(client.judge(request))), 'JUDGE_DISABLED');
    assert.equal(isBorderline(draft, GOAL_DEVIATION_DEFAULTS.judge), false);
    assert.equal(isBorderline(draft, { ...GOAL_DEVIATION_DEFAULTS.judge, url: base }), true);
    assert.equal(isBorderline({ ...draft, score: 0.95 }, { ...GOAL_DEVIATION_DEFAULTS.judge, url: base }), false);
  });
});
