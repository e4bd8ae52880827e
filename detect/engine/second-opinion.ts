/**
 * Second opinions from the external judge (goal_deviation's `judge`, off while `judge.url` is
 * empty), off the hot path. After the engine has emitted a goal_deviation finding whose score is
 * borderline for the session's resolved config, `consider` starts a judge call and returns at
 * once: detection never waits on the network. At most `maxInFlight` calls run at a time; one
 * beyond that is dropped and counted, never queued. The client's `timeout_ms` bounds each call.
 *
 * A "deviates" verdict with at least `judge.min_confidence` yields a follow-up finding — the
 * original raised one severity level, its explanation extended with the judge's, the verdict in
 * its evidence, its own stable id — handed to the engine's normal path (store and `onFinding`,
 * so the kill-switch policy decides whether to revoke). Every outcome is counted
 * (`warden_judge_requests_total{outcome}`); a "does not deviate" verdict, a doubtful one or an
 * error is logged and changes nothing; nothing here throws. `drain` waits for the calls in flight.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { Clock } from '../../lib/clock.js';
import { errorCode, isRetryable } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { rfc3339Ns } from '../../lib/rfc3339.js';
import { clip } from '../common/tokens.js';
import type { Finding, FindingSeverity } from '../../model/finding.js';
import type { GoalDeviationConfig } from '../goal-deviation/config.js';
import { createJudgeClient, isBorderline, judgeRequestFor, type JudgeClient, type JudgeRequest, type JudgeVerdict } from '../goal-deviation/judge-client.js';
import type { JudgeConfig } from '../goal-deviation/judge-config.js';
import { engineMetrics, type EngineMetrics } from './engine-metrics.js';
import { followUpId } from './finding-id.js';

/** Judge calls running at once (default); more are dropped and counted. */
export const JUDGE_MAX_IN_FLIGHT = 4;

/** Characters of the judge's explanation kept in the follow-up. */
const MAX_JUDGE_EXPLANATION = 400;

export type JudgeOutcome = 'deviates' | 'low_confidence' | 'does_not_deviate' | 'error' | 'dropped';

const RAISED: Readonly<Record<FindingSeverity, FindingSeverity>> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };

export interface SecondOpinionOptions {
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** HTTP client for the judge (the platform `fetch` by default). */
  fetch?: typeof fetch;
  /** Judge calls running at once (default `JUDGE_MAX_IN_FLIGHT`). */
  maxInFlight?: number;
}

/** Where a confirmed finding's follow-up goes: the engine's normal emit path. */
export type FollowUpSink = (followUp: Finding) => void;

/** The original finding confirmed by the judge: one level more severe, with the verdict. */
export function judgedFollowUp(original: Finding, verdict: JudgeVerdict, atNs: bigint): Finding {
  const severity = RAISED[original.severity];
  const confidence = verdict.confidence.toFixed(2);
  const said = verdict.explanation.trim() === '' ? 'gave no explanation' : `explains: "${clip(verdict.explanation, MAX_JUDGE_EXPLANATION)}"`;
  const raised = severity === original.severity ? `Severity stays ${severity} (the highest).` : `Severity raised from ${original.severity} to ${severity}.`;
  return {
    ...original,
    id: followUpId(original, 'judge'),
    severity,
    score: Math.max(original.score, verdict.confidence),
    title: `${original.title} (confirmed by the external judge)`,
    explanation: `${original.explanation} The external judge agrees that this deviates from the goal (confidence ${confidence}) and ${said}. ${raised}`,
    evidence: [`judge:deviates,confidence=${confidence}`, `finding:${original.id}`, ...original.evidence],
    at: rfc3339Ns(atNs),
  };
}

export class SecondOpinions {
  private readonly options: SecondOpinionOptions;
  private readonly logger: Logger;
  private readonly m: EngineMetrics;
  private readonly maxInFlight: number;
  /** One client per judge config object (configs are resolved once per tenant and agent). */
  private readonly clients = new WeakMap<JudgeConfig, JudgeClient>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: SecondOpinionOptions) {
    this.options = options;
    this.logger = options.logger.child({ component: 'judge' });
    this.m = engineMetrics(options.metrics);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? JUDGE_MAX_IN_FLIGHT);
  }

  /** Judge calls running now. */
  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * Asks the judge about `finding` if it is a borderline goal_deviation finding and the judge is
   * configured in `detectorConfig` (the session's resolved goal_deviation config). Returns at once.
   */
  consider(finding: Finding, event: AuditEvent, goal: string, detectorConfig: unknown, sink: FollowUpSink): void {
    if (finding.detector !== 'goal_deviation') return;
    const judge = (detectorConfig as Partial<GoalDeviationConfig> | undefined)?.judge;
    if (judge === undefined || !isBorderline(finding, judge)) return;
    if (this.inFlight.size >= this.maxInFlight) {
      this.count('dropped');
      this.logger.debug({ finding_id: finding.id, in_flight: this.inFlight.size }, 'judge busy: second opinion dropped');
      return;
    }
    const call: Promise<void> = this.ask(this.clientFor(judge), judgeRequestFor(goal, event, finding), finding, judge, sink)
      .catch((err: unknown) => this.logError(err, finding, 'judge follow-up could not be emitted'))
      .finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
  }

  /** Waits for every judge call in flight (and the follow-ups they hand on). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private clientFor(judge: JudgeConfig): JudgeClient {
    let client = this.clients.get(judge);
    if (!client) {
      client = createJudgeClient(judge, this.options.fetch ? { fetch: this.options.fetch } : {});
      this.clients.set(judge, client);
    }
    return client;
  }

  private async ask(client: JudgeClient, request: JudgeRequest, original: Finding, judge: JudgeConfig, sink: FollowUpSink): Promise<void> {
    let verdict: JudgeVerdict;
    try {
      verdict = await client.judge(request);
    } catch (err) {
      this.count('error');
      this.logError(err, original, 'judge call failed; the finding stands as emitted');
      return;
    }
    const about = { finding_id: original.id, confidence: verdict.confidence };
    if (!verdict.deviates) {
      this.count('does_not_deviate');
      this.logger.info(about, 'judge: does not deviate; the finding stands as emitted');
      return;
    }
    const needed = judge.min_confidence;
    if (verdict.confidence < needed) {
      this.count('low_confidence');
      this.logger.info({ ...about, min_confidence: needed }, 'judge: deviates, below min_confidence; the finding stands as emitted');
      return;
    }
    this.count('deviates');
    const followUp = judgedFollowUp(original, verdict, this.options.clock.nowNs());
    this.logger.info({ ...about, follow_up_id: followUp.id, severity: followUp.severity }, 'judge: deviates; follow-up finding emitted');
    sink(followUp);
  }

  /** Counted and logged with its code; the message only (a cause may carry the judge's URL). */
  private logError(err: unknown, finding: Finding, msg: string): void {
    const code = errorCode(err);
    this.options.metrics.errors.inc({ stage: 'judge', code });
    const message = err instanceof Error ? err.message : String(err);
    this.logger.warn({ code, retryable: isRetryable(err), message, finding_id: finding.id }, msg);
  }

  private count(outcome: JudgeOutcome): void {
    this.m.judge.inc({ outcome });
  }
}
