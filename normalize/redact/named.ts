/**
 * `redactNamed(name, value)`: a value stored under a name (an attribute, an env var, a JSON
 * key). The text inside is always scanned; in addition a secret-like name makes the whole value
 * a secret (passwords whatever they look like, tokens and keys when they are one word, weak names
 * such as `key` or `signature` only when the value looks random). Auth header values keep their
 * scheme: `Authorization` = `Bearer [REDACTED:bearer_token]`.
 */
import type { RedactionResult } from './redaction.js';
import { classifySecretName } from './secret-names.js';
import { namedFinding } from './assignments.js';
import { isMarker, marker } from './marker.js';

type TextRedact = (text: string) => RedactionResult;

export function redactNamedValue(redactText: TextRedact, name: string, value: string): RedactionResult {
  const scanned = redactText(value);
  const cls = classifySecretName(name);
  if (cls === undefined || isMarker(scanned.text)) return scanned;
  // A multi-word value under a token-like name is a sentence, unless it is `<scheme> <credential>`:
  // rely on the text scan for it. Passwords may contain spaces.
  const span = { start: 0, end: value.length, quoted: true };
  const finding = namedFinding(cls, value, span, cls === 'secret' && /\s/.test(value));
  if (finding === undefined) return scanned;
  // The scan already replaced exactly this part (e.g. a JWT after `Bearer `): its kind is better.
  const kept = value.slice(0, finding.start);
  if (scanned.text.startsWith(kept) && isMarker(scanned.text.slice(kept.length))) return scanned;
  // A provider token found by the scan names the kind better than the generic one.
  const kind = finding.start === 0 && scanned.count === 1 && scanned.kinds[0] !== undefined
    ? scanned.kinds[0]
    : finding.kind;
  return {
    text: value.slice(0, finding.start) + marker(kind),
    count: 1,
    kinds: [kind],
    secrets: [{ value: value.slice(finding.start), kind }],
  };
}
