/**
 * `createRedactor`: the synchronous redactor used on every event before anything is stored or
 * forwarded. Built-in detectors (provider tokens, structural secrets, name-based assignments)
 * plus the caller's extra patterns, behind one `Scanner`. Stateless after construction, so one
 * instance can be shared by every pipeline worker.
 */
import type { RedactionResult, ValueRedactor } from './redaction.js';
import { type SecretDetector, PRIORITY_TOKEN, regexDetector } from './detector.js';
import { TOKEN_RULES } from './token-rules.js';
import { STRUCTURAL_RULES } from './structural-rules.js';
import { COMMAND_RULES } from './command-rules.js';
import { ASSIGNMENT_DETECTOR } from './assignments.js';
import { base64Detector } from './base64-secrets.js';
import { Scanner } from './scanner.js';
import { redactNamedValue } from './named.js';
import { walkJsonString, walkValue } from './walk.js';
import { type RedactorOptions, validateOptions } from './options.js';

export function builtinDetectors(): SecretDetector[] {
  return [...TOKEN_RULES, ...STRUCTURAL_RULES, ...COMMAND_RULES].map(regexDetector).concat(ASSIGNMENT_DETECTOR);
}

/** The scanner behind a redactor (validated options, extra patterns first). Exposed for tests and tools. */
export function createScanner(options: RedactorOptions = {}): Scanner {
  validateOptions(options);
  const extra = (options.extraPatterns ?? []).map((p) =>
    regexDetector({
      kind: p.kind,
      pattern: p.pattern,
      triggers: p.triggers ?? [],
      priority: PRIORITY_TOKEN,
      ...(p.group === undefined ? {} : { group: p.group }),
    }),
  );
  const plain = [...extra, ...builtinDetectors()];
  // Base64 runs are decoded and scanned by the other detectors (not by itself: one level deep).
  const inner = new Scanner(plain);
  return new Scanner([...plain, base64Detector((text) => inner.find(text))]);
}

export function createRedactor(options: RedactorOptions = {}): ValueRedactor {
  const scanner = createScanner(options);
  const counter = options.metrics?.redactions;

  const counted = (r: RedactionResult): RedactionResult => {
    if (counter !== undefined && r.count > 0) for (const kind of r.kinds) counter.inc({ kind });
    return r;
  };
  const redactText = (text: string): RedactionResult => scanner.redact(text);
  const redactNamed = (name: string, value: string): RedactionResult => redactNamedValue(redactText, name, value);

  return {
    redact: (text) => counted(redactText(text)),
    redactNamed: (name, value) => counted(redactNamed(name, value)),
    redactValue: (value, name) => {
      const r = walkValue(redactNamed, value, name);
      if (counter !== undefined) for (const kind of r.kinds) counter.inc({ kind });
      return r;
    },
    redactJsonString: (json) => counted(walkJsonString(redactNamed, json)),
  };
}
