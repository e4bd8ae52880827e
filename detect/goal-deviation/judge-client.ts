/**
 * The external judge: an optional second opinion from an HTTP endpoint the user runs (a model
 * of their choice behind `POST <url>`). Off by default (`judge.url` empty). Detectors are
 * synchronous, so the detector never calls it; the engine does, after emitting a finding whose
 * score is borderline (`isBorderline`), and emits a follow-up one level more severe when the
 * judge confirms it (detect/engine/second-opinion.ts).
 *
 * Wire format: request `{"goal": "…", "action": {tool, command, action_class, severity,
 * destructive, targets}, "reason": "…"}`; response `{"deviates": bool, "confidence": 0..1,
 * "explanation": "…"}`. Timeouts, connection failures, 429 and 5xx are retryable errors;
 * other 4xx and malformed answers are permanent.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { PermanentError, RetryableError } from '../../lib/errors.js';
import type { FindingDraft } from '../../model/finding.js';
import type { JudgeConfig } from './judge-config.js';

export const JUDGE_DISABLED = 'JUDGE_DISABLED';
export const JUDGE_UNAVAILABLE = 'JUDGE_UNAVAILABLE';
export const JUDGE_REJECTED = 'JUDGE_REJECTED';
export const JUDGE_BAD_RESPONSE = 'JUDGE_BAD_RESPONSE';

export interface JudgeRequest {
  goal: string;
  action: { tool: string; command: string; action_class: string; severity: string; destructive: boolean; targets: string[] };
  /** Warden's own explanation, so the judge sees what was flagged and why. */
  reason: string;
}

export interface JudgeVerdict {
  deviates: boolean;
  confidence: number;
  explanation: string;
}

export interface JudgeClient {
  readonly enabled: boolean;
  judge(request: JudgeRequest): Promise<JudgeVerdict>;
}

export interface JudgeClientOptions {
  /** HTTP client (the platform `fetch` by default). */
  fetch?: typeof fetch;
}

export function judgeRequestFor(goal: string, event: AuditEvent, draft: FindingDraft): JudgeRequest {
  const { tool, command, action_class, severity, destructive, targets } = event;
  return { goal, action: { tool, command, action_class, severity, destructive, targets: [...targets] }, reason: draft.explanation };
}

/** True when a judge is configured and the finding's score lies in the borderline band. */
export function isBorderline(draft: FindingDraft, config: JudgeConfig): boolean {
  return config.url !== '' && draft.score >= config.borderline_min && draft.score <= config.borderline_max;
}

function parseVerdict(body: unknown): JudgeVerdict {
  const v = body as Partial<JudgeVerdict> | null;
  if (v === null || typeof v !== 'object' || typeof v.deviates !== 'boolean' || typeof v.confidence !== 'number' ||
    !(v.confidence >= 0 && v.confidence <= 1) || (v.explanation !== undefined && typeof v.explanation !== 'string')) {
    throw new PermanentError(JUDGE_BAD_RESPONSE, 'judge answered without {deviates: boolean, confidence: 0..1, explanation: string}');
  }
  return { deviates: v.deviates, confidence: v.confidence, explanation: v.explanation ?? '' };
}

export function createJudgeClient(config: JudgeConfig, options: JudgeClientOptions = {}): JudgeClient {
  const doFetch = options.fetch ?? fetch;
  return {
    enabled: config.url !== '',
    async judge(request: JudgeRequest): Promise<JudgeVerdict> {
      if (config.url === '') throw new PermanentError(JUDGE_DISABLED, 'no judge configured (goal_deviation.judge.url is empty)');
      let res: Response;
      try {
        res = await doFetch(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(config.timeout_ms),
        });
      } catch (cause) {
        throw new RetryableError(JUDGE_UNAVAILABLE, `judge did not answer within ${config.timeout_ms} ms`, { cause });
      }
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        throw new RetryableError(JUDGE_UNAVAILABLE, `judge answered ${res.status}`, { details: { status: res.status } });
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new PermanentError(JUDGE_REJECTED, `judge refused the request (${res.status})`, { details: { status: res.status } });
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch (cause) {
        throw new PermanentError(JUDGE_BAD_RESPONSE, 'judge answered with a body that is not JSON', { cause });
      }
      return parseVerdict(body);
    },
  };
}
