/**
 * Config of the external judge: an HTTP endpoint the user runs that gives a second opinion on
 * borderline findings. Off while `url` is empty. A "deviates" verdict raises the finding only
 * when its confidence reaches `min_confidence`.
 */
import type { Fields } from '../common/config-fields.js';

export interface JudgeConfig {
  /** `http(s)://…` endpoint; empty = off (the default). */
  url: string;
  timeout_ms: number;
  /** Findings whose score lies in [borderline_min, borderline_max] are worth a second opinion. */
  borderline_min: number;
  borderline_max: number;
  /** Confidence a "deviates" verdict needs to raise the finding. */
  min_confidence: number;
}

export function readJudgeConfig(f: Fields, base: JudgeConfig): JudgeConfig {
  const url = f.string('url', base.url);
  if (url !== '' && !/^https?:\/\/[^\s/]+/.test(url)) f.problem('url', `expected an http(s) URL or '', got ${JSON.stringify(url)}`);
  const c: JudgeConfig = {
    url,
    timeout_ms: f.number('timeout_ms', base.timeout_ms, { min: 1, max: 60_000, integer: true }),
    borderline_min: f.number('borderline_min', base.borderline_min, { min: 0, max: 1 }),
    borderline_max: f.number('borderline_max', base.borderline_max, { min: 0, max: 1 }),
    min_confidence: f.number('min_confidence', base.min_confidence, { min: 0, max: 1 }),
  };
  if (c.borderline_min > c.borderline_max) f.problem('borderline_min', `must not exceed judge.borderline_max (${c.borderline_max})`);
  return c;
}
