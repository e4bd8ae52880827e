/**
 * Secret redaction: replaces cloud keys, tokens, passwords, private keys and high-entropy
 * values next to secret-like names with `[REDACTED:<kind>]` before anything is stored.
 * See README.md for what is covered and how the rule set is kept honest.
 */
export type { RedactedSecret, RedactionResult, Redactor, ValueRedactionResult, ValueRedactor } from './redaction.js';
export { createRedactor } from './redactor.js';
export { logLineRedactor } from './log-lines.js';
export type { ExtraPattern, RedactorOptions } from './options.js';
export { MARKER_PREFIX, isMarker, marker, markerRanges } from './marker.js';
export { classifySecretName, type SecretNameClass } from './secret-names.js';
export { looksRandom, shannonEntropy } from './entropy.js';
