/**
 * Detection's public surface for main.ts and the API: the engine (an EventStage observer) and
 * its second opinions from the external judge, the session registry, and the policy loader
 * (the ClickHouse stores and the rebuild from storage are the store stage's: store/index.ts).
 */
export { DetectionEngine } from './detection-engine.js';
export type { DetectionEngineOptions, FindingHandler, FindingSink, JudgeOptions, SessionSink } from './detection-engine.js';
export { JUDGE_MAX_IN_FLIGHT, judgedFollowUp, type JudgeOutcome } from './second-opinion.js';
export { BatchWriter, realTimers, type Timers } from './batch-writer.js';
export { findingId, followUpId, toFinding } from './finding-id.js';
export { SessionRegistry, SESSION_DEFAULTS } from '../session/session-registry.js';
export type { SessionRegistryOptions } from '../session/session-registry.js';
export { loadPolicy, defaultPolicy, parsePolicyText, POLICY_INVALID, DEFAULT_POLICY_FILE } from '../policy/load-policy.js';
export { resolve } from '../policy/resolve-policy.js';
export type { Policy, ResolvedPolicy, ResolvedDetector, PolicyScope } from '../policy/policy-types.js';
export { DETECTOR_FACTORIES, type AnyDetectorFactory } from '../registry.js';
