/**
 * Runs detectors over a string and replaces what they find. The hot path: one case-insensitive
 * regular expression made of every detector's trigger literals gates the string, so text without
 * any candidate costs a single `test`; otherwise the text is lower-cased once and each detector
 * runs only if one of its own triggers occurs. Overlapping
 * findings are merged into one range (the higher-priority kind names it), so a secret is never
 * half-replaced; findings that touch an existing marker are dropped, which keeps
 * `redact(redact(x)) === redact(x)`.
 */
import type { SecretDetector, SecretMatch } from './detector.js';
import type { RedactedSecret, RedactionResult } from './redaction.js';
import { marker, markerRanges } from './marker.js';

interface GatedDetector {
  detector: SecretDetector;
  /** Indexes into the scanner's trigger list. */
  triggerIds: number[];
}

export class Scanner {
  private readonly triggers: string[] = [];
  private readonly gated: GatedDetector[] = [];
  private readonly ungated: SecretDetector[] = [];
  private readonly gate: RegExp;

  constructor(detectors: readonly SecretDetector[]) {
    const ids = new Map<string, number>();
    for (const detector of detectors) {
      if (detector.triggers.length === 0) {
        this.ungated.push(detector);
        continue;
      }
      const triggerIds = detector.triggers.map((t) => {
        let id = ids.get(t);
        if (id === undefined) {
          id = this.triggers.length;
          ids.set(t, id);
          this.triggers.push(t);
        }
        return id;
      });
      this.gated.push({ detector, triggerIds });
    }
    const alternatives = this.triggers.map((t) => t.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
    this.gate = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'i') : /(?!)/;
  }

  /** Merged, non-overlapping findings in text order. */
  find(text: string): SecretMatch[] {
    const raw: SecretMatch[] = [];
    for (const d of this.ungated) d.scan(text, raw);
    if (this.gate.test(text)) {
      const lower = text.toLowerCase();
      // Each trigger is looked up once, and only when a detector asks (0 unknown, 1 present, 2 absent).
      const present = new Uint8Array(this.triggers.length);
      const has = (id: number): boolean => {
        if (present[id] === 0) present[id] = lower.includes(this.triggers[id]!) ? 1 : 2;
        return present[id] === 1;
      };
      for (const { detector, triggerIds } of this.gated) {
        if (triggerIds.some(has)) detector.scan(text, raw);
      }
    }
    if (raw.length === 0) return raw;
    return merge(dropMarkerOverlaps(text, raw));
  }

  redact(text: string): RedactionResult {
    const findings = this.find(text);
    if (findings.length === 0) return { text, count: 0, kinds: [] };
    let out = '';
    let at = 0;
    const kinds: string[] = [];
    const secrets: RedactedSecret[] = [];
    for (const f of findings) {
      out += text.slice(at, f.start) + marker(f.kind);
      secrets.push({ value: text.slice(f.start, f.end), kind: f.kind });
      at = f.end;
      if (!kinds.includes(f.kind)) kinds.push(f.kind);
    }
    out += text.slice(at);
    return { text: out, count: findings.length, kinds, secrets };
  }
}

function dropMarkerOverlaps(text: string, findings: SecretMatch[]): SecretMatch[] {
  const markers = markerRanges(text);
  if (markers.length === 0) return findings;
  return findings.filter((f) => !markers.some(([s, e]) => f.start < e && s < f.end));
}

function merge(findings: SecretMatch[]): SecretMatch[] {
  findings.sort((a, b) => a.start - b.start || b.end - a.end || a.priority - b.priority);
  const merged: SecretMatch[] = [];
  for (const f of findings) {
    const last = merged[merged.length - 1];
    if (last !== undefined && f.start < last.end) {
      if (f.end > last.end) last.end = f.end;
      if (f.priority < last.priority) {
        last.kind = f.kind;
        last.priority = f.priority;
      }
      continue;
    }
    merged.push({ ...f });
  }
  return merged;
}
