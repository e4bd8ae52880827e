/**
 * Runs a detector's scenario file as node:test cases: every `fires:` scenario must produce at
 * least one finding (at least `min_severity` when the scenario gives one, and a title
 * containing `title_includes` when given); every `silent:` scenario must produce none. The
 * expectations ride on the scenario objects as extra fields, so the shared Scenario contract
 * stays as it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DetectorFactory } from '../detector.js';
import { atLeast, type FindingDraft, type FindingSeverity } from '../../model/finding.js';
import { loadScenarios, runScenario, type Scenario } from '../testing/scenario.js';

export interface ExpectedScenario extends Scenario {
  min_severity?: FindingSeverity;
  title_includes?: string;
}

function show(drafts: FindingDraft[]): string {
  return drafts.map((d) => `[${d.severity} ${d.score}] ${d.title} — ${d.explanation}`).join('\n');
}

export function scenarioSuite<C>(factory: DetectorFactory<C>, file: string, minimum = 5): void {
  const { fires, silent } = loadScenarios(file) as { fires: ExpectedScenario[]; silent: ExpectedScenario[] };

  describe(`${factory.name} scenarios`, () => {
    it(`has at least ${minimum} fires and ${minimum} silent scenarios`, () => {
      assert.ok(fires.length >= minimum, `fires: ${fires.length}`);
      assert.ok(silent.length >= minimum, `silent: ${silent.length}`);
    });
    for (const s of fires) {
      it(`fires: ${s.name}`, () => {
        const { all } = runScenario(factory, s);
        assert.ok(all.length > 0, 'expected at least one finding, got none');
        if (s.min_severity !== undefined) {
          const floor = s.min_severity;
          assert.ok(all.some((d) => atLeast(d.severity, floor)), `expected a finding at least ${floor}, got:\n${show(all)}`);
        }
        if (s.title_includes !== undefined) {
          const part = s.title_includes;
          assert.ok(all.some((d) => d.title.includes(part)), `expected a title with "${part}", got:\n${show(all)}`);
        }
        for (const d of all) assert.ok(d.score >= 0 && d.score <= 1, `score out of range: ${d.score}`);
      });
    }
    for (const s of silent) {
      it(`silent: ${s.name}`, () => {
        const { all } = runScenario(factory, s);
        assert.equal(all.length, 0, `expected no finding, got:\n${show(all)}`);
      });
    }
  });
}
