/**
 * Secrets found by the name they are assigned to, inside free text: `KEY=value`,
 * `export KEY="value"`, `--password=x`, `--token x`, `-storepass x`, JSON `"key": "value"`,
 * YAML `key: value`, headers `X-Api-Key: value` / `Authorization: Bearer value`. The name is
 * classified by `classifySecretName`; the value (without its quotes) becomes the finding.
 * Passwords and secrets are redacted whatever they look like; weak names (`key`, `signature`)
 * only when the value looks random.
 */
import { type SecretDetector, type SecretMatch, PRIORITY_NAME } from './detector.js';
import { classifySecretName, isPlaceholderValue, type SecretNameClass } from './secret-names.js';
import { MAX_RANDOM_LENGTH, looksRandom } from './entropy.js';
import { splitAuthScheme } from './auth-scheme.js';
import { MARKER_PREFIX } from './marker.js';

/** Lower-case fragments at least one of which occurs in every secret-like name. */
export const NAME_TRIGGERS = ['pass', 'pwd', 'pw', 'secret', 'token', 'key', 'auth', 'cred', 'sig', 'cookie', 'hmac', 'sas'];

/**
 * `name=`, `--name=`, `name:=`, `name =>`, `"name":`, `name:` (not `::` or `://`, not `==`).
 * Not after `/`: `https://user:pw@host` is the URL detector's (a user name is not a key name).
 */
const NAME_AND_SEPARATOR = /(?<![A-Za-z0-9_.$/-])-{0,2}([A-Za-z_][A-Za-z0-9_.-]{0,127})(["']?)[ \t]*(=>|:=|=(?![=~])|:(?![/:]))[ \t]*/g;
/** `--name value` / `-name value` (a flag followed by a separate argument). */
const FLAG_AND_VALUE = /(?<![A-Za-z0-9_-])--?([A-Za-z][A-Za-z0-9_.-]{1,63})[ \t]+(?=[^\s-])/g;

/** Longest quoted value read (a PEM or a certificate chain fits); bare values are shorter. */
const MAX_QUOTED = 8192;
/** Bare values after `=` end at whitespace and shell/list separators. */
const BARE_AFTER_EQUALS = /[^\s"'`;&|<>,]{1,1024}/y;
/** Bare values after `:` (YAML, headers) run to the end of the line. */
const BARE_AFTER_COLON = /[^\r\n"'`,}]{1,1024}/y;

interface ValueSpan {
  start: number;
  end: number;
  quoted: boolean;
}

/** Reads the value starting at `i`: quoted (without the quotes) or bare (a sticky pattern). */
function readValue(text: string, i: number, bare: RegExp): ValueSpan | undefined {
  const open = text[i];
  if (open === '"' || open === "'") {
    let j = i + 1;
    const limit = Math.min(text.length, i + MAX_QUOTED);
    while (j < limit && text[j] !== open && text[j] !== '\n') j += open === '"' && text[j] === '\\' ? 2 : 1;
    return j > i + 1 ? { start: i + 1, end: Math.min(j, text.length), quoted: true } : undefined;
  }
  // Bare `{` / `[` start a nested structure (JSON, YAML flow), not a value.
  if (open === '{' || open === '[') return undefined;
  bare.lastIndex = i;
  const m = bare.exec(text);
  if (m === null) return undefined;
  const value = m[0].trimEnd();
  return value.length > 0 ? { start: i, end: i + value.length, quoted: false } : undefined;
}

function mightBeSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  return NAME_TRIGGERS.some((t) => lower.includes(t));
}

/** A bare `secret: value` in prose ("invalid token: expired") needs a token-like value. */
function isTokenLike(value: string): boolean {
  return !/\s/.test(value) && (looksRandom(value) || (value.length >= 8 && /[0-9]/.test(value)));
}

/**
 * Decides whether a value under a name of class `cls` is a secret, and which part of it.
 * `prose` marks a bare value after `:` (YAML, a header or just a sentence): secrets there must
 * look like tokens, passwords need not.
 */
export function namedFinding(cls: SecretNameClass, text: string, span: ValueSpan, prose = false): SecretMatch | undefined {
  let { start } = span;
  const value = text.slice(start, span.end);
  if (cls === 'weak') {
    // Cheap checks first: this runs for every `key=` in the text.
    if (value.length > MAX_RANDOM_LENGTH || !looksRandom(value) || isPlaceholderValue(value)) return undefined;
    return { start, end: span.end, kind: 'high_entropy', priority: PRIORITY_NAME };
  }
  if (value.includes(MARKER_PREFIX) || isPlaceholderValue(value)) return undefined;
  let kind: string;
  const auth = cls === 'secret' ? splitAuthScheme(value) : undefined;
  if (auth !== undefined) {
    start += auth.offset;
    if (isPlaceholderValue(text.slice(start, span.end))) return undefined;
    kind = auth.kind;
  } else if (prose && cls === 'secret' && !isTokenLike(value)) {
    return undefined;
  } else if (looksRandom(value)) {
    kind = 'high_entropy';
  } else {
    kind = cls === 'password' ? 'password_assignment' : 'secret_assignment';
  }
  return { start, end: span.end, kind, priority: PRIORITY_NAME };
}

function scanAssignments(text: string, out: SecretMatch[]): void {
  NAME_AND_SEPARATOR.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NAME_AND_SEPARATOR.exec(text)) !== null) {
    const name = m[1] ?? '';
    if (!mightBeSecretName(name)) continue;
    const cls = classifySecretName(name);
    if (cls === undefined) continue;
    const colon = m[3] === ':';
    const span = readValue(text, m.index + m[0].length, colon ? BARE_AFTER_COLON : BARE_AFTER_EQUALS);
    if (span === undefined) continue;
    const finding = namedFinding(cls, text, span, colon && !span.quoted);
    if (finding === undefined) continue;
    out.push(finding);
    // The whole value is redacted: names inside it need no second look (keeps scans linear).
    NAME_AND_SEPARATOR.lastIndex = Math.max(NAME_AND_SEPARATOR.lastIndex, finding.end);
  }
}

function scanFlags(text: string, out: SecretMatch[]): void {
  FLAG_AND_VALUE.lastIndex = 0;
  for (const m of text.matchAll(FLAG_AND_VALUE)) {
    const name = m[1] ?? '';
    if (!mightBeSecretName(name)) continue;
    const cls = classifySecretName(name);
    // A bare flag may be a switch followed by an unrelated argument: only strong names qualify.
    if (cls === undefined || cls === 'weak') continue;
    const span = readValue(text, m.index + m[0].length, BARE_AFTER_EQUALS);
    if (span === undefined) continue;
    const finding = namedFinding(cls, text, span);
    if (finding !== undefined) out.push(finding);
  }
}

export const ASSIGNMENT_DETECTOR: SecretDetector = {
  id: 'assignment',
  triggers: NAME_TRIGGERS,
  scan(text, out) {
    scanAssignments(text, out);
    scanFlags(text, out);
  },
};
