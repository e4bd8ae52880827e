/**
 * intent_mismatch behaviour beyond the fixtures: missing receipts reported once per severity
 * with a running count, expiry driven by the clock, evidence naming both events, config
 * validation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { driveSession } from '../common/drive-session.js';
import type { ScenarioStep } from '../testing/scenario.js';
import { intentMismatchFactory } from './index.js';

const receipts = { ...intentMismatchFactory.defaults, require_receipts: true };

describe('intent_mismatch detector', () => {
  it('reports missing receipts once per severity, counting them', () => {
    const steps: ScenarioStep[] = [
      ...Array.from({ length: 20 }, (_, i) => ({ tool: 'Write', arguments: { file_path: `/home/dev/repo/f${i}.ts`, content: 'x' } })),
      { command: 'rm -rf src' }, { command: 'rm -rf lib' },
    ];
    const r = driveSession(intentMismatchFactory.create(), receipts, { name: 'r', steps }, new FakeClock());
    assert.deepEqual(r.all.map((d) => d.severity), ['medium', 'high']);
    assert.match(r.all[1]!.explanation, /21 executions without a receipt/);
  });
  it('lets an intent expire by the clock', () => {
    const steps: ScenarioStep[] = [
      { command: 'rm -rf build', phase: 'intent', tool_call_id: 'x' },
      { command: 'rm -rf /', tool_call_id: 'x', after_ms: 601_000 },
    ];
    const late = driveSession(intentMismatchFactory.create(), receipts, { name: 'late', steps }, new FakeClock());
    assert.match(late.all[0]!.title, /without an intent/);
    const inTime = driveSession(intentMismatchFactory.create(), receipts, { name: 'ok', steps: [steps[0]!, { ...steps[1]!, after_ms: 1000 }] }, new FakeClock());
    assert.match(inTime.all[0]!.title, /differs|more impact|touches targets/);
  });
  it('names the intent and the execution as evidence', () => {
    const steps: ScenarioStep[] = [
      { command: 'git push origin main', phase: 'intent', tool_call_id: 'p' },
      { command: 'git push --force origin main', tool_call_id: 'p' },
    ];
    const r = driveSession(intentMismatchFactory.create(), intentMismatchFactory.defaults, { name: 'e', steps }, new FakeClock());
    assert.deepEqual(r.all[0]!.evidence, ['scenario-e-0', 'scenario-e-1']);
    assert.match(r.all[0]!.explanation, /paired with its intent by call id p/);
  });
  it('validates config, naming every bad field', () => {
    const { problems } = intentMismatchFactory.validate({ require_receipts: 'yes', window_ms: -1, pair_window: 100, max_pending: 10, extra: 1 }, intentMismatchFactory.defaults);
    for (const field of ['require_receipts', 'window_ms', 'pair_window', 'extra']) assert.ok(problems.some((p) => p.startsWith(field)), `${field}: ${problems.join(' | ')}`);
    const ok = intentMismatchFactory.validate({ require_receipts: true }, intentMismatchFactory.defaults);
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.config.require_receipts, true);
    assert.equal(ok.config.window_ms, 600_000);
  });
});
