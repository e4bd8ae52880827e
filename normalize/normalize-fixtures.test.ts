/**
 * Recorded-shape payloads (testdata/*.json: OTLP/JSON exports shaped like Claude Code, Codex,
 * hook forwarders and OTel GenAI SDKs emit them) run through the real decoder, the normalizer
 * and the real classifier and redactor. Each fixture lists, per record, the AuditEvent fields
 * expected. Plain keys compare with deepEqual; special keys:
 *   arguments_json     the `arguments` string parsed, deepEqual
 *   targets_include    each listed target is among `targets`
 *   attributes         each listed attribute has exactly this value
 *   attributes_contain each listed attribute contains this text
 *   absent_attributes  none of these keys is in `attributes`
 * The value "CLOCK" stands for the fake clock's now in nanoseconds.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../model/audit-event.js';
import { createNormalizer } from './normalizer.js';
import { TESTDATA, decodeFixture, readFixture, realDeps, type Expectation } from './test-kit.js';

const fixtures = readdirSync(TESTDATA).filter((n) => n.endsWith('.json'));

function check(event: AuditEvent, want: Expectation, clockNs: string, where: string): void {
  const actual = event as unknown as Record<string, unknown>;
  for (const [key, expected] of Object.entries(want)) {
    const at = `${where}: ${key}`;
    switch (key) {
      case 'arguments_json':
        assert.deepEqual(JSON.parse(event.arguments), expected, at);
        break;
      case 'targets_include':
        for (const t of expected as string[]) assert.ok(event.targets.includes(t), `${at}: ${t} not in ${JSON.stringify(event.targets)}`);
        break;
      case 'attributes':
        for (const [k, v] of Object.entries(expected as Record<string, string>)) assert.equal(event.attributes[k], v, `${at}.${k}`);
        break;
      case 'attributes_contain':
        for (const [k, v] of Object.entries(expected as Record<string, string>)) {
          assert.ok(event.attributes[k]?.includes(v), `${at}.${k}: ${event.attributes[k]} lacks ${v}`);
        }
        break;
      case 'absent_attributes':
        for (const k of expected as string[]) assert.equal(event.attributes[k], undefined, `${at}: ${k} should be absent`);
        break;
      default:
        assert.deepEqual(actual[key], expected === 'CLOCK' ? clockNs : expected, at);
    }
  }
}

describe('recorded payloads → AuditEvents', () => {
  assert.ok(fixtures.length >= 4, 'fixtures present');
  for (const name of fixtures) {
    it(name, () => {
      const fixture = readFixture(name);
      const deps = realDeps();
      const normalizer = createNormalizer(deps);
      const records = decodeFixture(fixture);
      const events = normalizer.normalize(records, fixture.ctx ?? {});
      assert.equal(events.length, fixture.expect.length, 'one event per record');
      const clockNs = deps.clock.nowNs().toString();
      fixture.expect.forEach((want, i) => check(events[i]!, want, clockNs, `${name}[${i}]`));
      const ids = new Set(events.map((e) => e.event_id));
      assert.equal(ids.size, events.length, 'event ids are distinct');
      for (const e of events) assert.match(e.event_id, /^[0-9a-f]{32}$/);
      // sessionIdOf keys Kafka messages the way normalize reads the session.
      records.forEach((r, i) => assert.equal(normalizer.sessionIdOf(r), events[i]!.session_id, `${name}[${i}] sessionIdOf`));
    });
  }
});
