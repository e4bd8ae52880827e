/**
 * Test helper: runs one scenario session through a given detector instance under a given
 * fake clock, as the engine would (session counts and recent event ids kept). Unlike the shared
 * `runScenario`, the detector and clock outlive the session, so tests can run several
 * sessions through one instance (cross-session baselines) or advance time between steps.
 */
import type { FakeClock } from '../../lib/clock.js';
import type { Detector } from '../detector.js';
import type { FindingDraft } from '../../model/finding.js';
import type { SessionState } from '../session/session-state.js';
import { newSession, stepEvent, type Scenario } from '../testing/scenario.js';

export interface DrivenSession {
  session: SessionState;
  perStep: FindingDraft[][];
  all: FindingDraft[];
}

export function driveSession<C>(detector: Detector<C>, config: C, scenario: Scenario, clock: FakeClock): DrivenSession {
  const session = newSession(scenario, clock.now());
  const perStep = scenario.steps.map((step, i) => {
    clock.advance(step.after_ms ?? 1000);
    const event = stepEvent(step, i, session, clock.now());
    session.last_seen_ms = clock.now();
    session.counts.events++;
    const drafts = detector.observe(event, {
      session,
      config,
      clock,
      slot: <S>(init: () => S): S => {
        if (!session.slots.has(detector.name)) session.slots.set(detector.name, init());
        return session.slots.get(detector.name) as S;
      },
    });
    session.recentIds.push(event.event_id);
    return drafts;
  });
  return { session, perStep, all: perStep.flat() };
}
