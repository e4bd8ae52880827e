/**
 * The gate's memory through the assembly (`startWarden`), over HTTP: an operator allows a denied
 * call once (`POST /api/v1/gate/decisions/:id/allow`), Warden stops before the agent tries again
 * and starts over the same data directory — as a new owner takes a session over, it rebuilds the
 * session from ClickHouse, and the gate's grants and stopped calls with it. The retry is allowed
 * once, saying who allowed it; the call after that is denied again.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { TokenEntry } from '../../config/tokens.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { removeEngineDir } from '../helpers/remove-engine-dir.js';

const INGEST = 'wdn_gate_memory_ingest_token_0001';
const OPERATOR = 'wdn_gate_memory_operator_token_01';
const TOKENS: TokenEntry[] = [
  { name: 'agent', token: INGEST, tenant: 'default', roles: ['ingest'] },
  { name: 'alice', token: OPERATOR, tenant: 'default', roles: ['read', 'operate'] },
];

interface Answer {
  decision: string;
  decision_id: string;
  reason: string;
}

async function post(warden: TestWarden, path: string, token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${warden.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let call = 0;
/** The agent asks the gate about `command` (a new tool call each time); it cannot ask a person. */
async function gate(warden: TestWarden, command: string): Promise<Answer> {
  const res = await post(warden, '/api/v1/gate', INGEST, { session_id: 'sess-gate-memory', tool: 'Bash', command, tool_call_id: `toolu_memory_${call++}`, can_ask: false });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as unknown as Answer;
}

describe('the gate remembers across a restart (startWarden, HTTP)', () => {
  let dataDir = '';
  after(async () => {
    if (dataDir) await removeEngineDir(dataDir);
  });

  it('an allow-once granted before the restart lets the retry through once after it', async () => {
    const first = await startTestWarden({}, { tokens: TOKENS });
    dataDir = first.dataDir;
    const command = 'terraform destroy -auto-approve';
    let denied: Answer;
    try {
      denied = await gate(first, command);
      assert.equal(denied.decision, 'deny', denied.reason);
      const allowed = await post(first, `/api/v1/gate/decisions/${denied.decision_id}/allow`, OPERATOR, { reason: 'tearing down the preview stack' });
      assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    } finally {
      await first.close();
    }

    const second = await startTestWarden({}, { dataDir });
    try {
      const retry = await gate(second, command);
      assert.equal(retry.decision, 'allow', retry.reason);
      assert.match(retry.reason, /allowed once by operator:alice.*tearing down the preview stack/);
      const again = await gate(second, command);
      assert.equal(again.decision, 'deny', again.reason);
    } finally {
      await second.close();
    }
  });
});
