/**
 * The redaction contract: replace every secret in a string with `[REDACTED:<kind>]` and say how
 * many were found, of which kinds. Must be idempotent (redacting twice changes nothing more).
 * Additively, a result may list the secrets it replaced (`secrets`), so a caller holding several
 * strings of one record can redact the same value wherever else it appears without context.
 * Those values live in process memory only, like the input they came from; never store or log them.
 */
export interface RedactionResult {
  text: string;
  count: number;
  kinds: string[];
  /** The replaced texts with their kinds (absent when the redactor does not report them). */
  secrets?: RedactedSecret[];
}

/** One replaced text and the kind its marker names. */
export interface RedactedSecret {
  value: string;
  kind: string;
}

export interface Redactor {
  redact(text: string): RedactionResult;
  /** Redacts a value stored under an attribute name: secret-like names make high-entropy values secrets. */
  redactNamed(name: string, value: string): RedactionResult;
}

/** A walked value with its secrets replaced (see `ValueRedactor.redactValue`). */
export interface ValueRedactionResult {
  value: unknown;
  count: number;
  kinds: string[];
  /** As in RedactionResult: the replaced texts (numbers as their decimal text). */
  secrets?: RedactedSecret[];
}

/**
 * Additive extension of `Redactor` for structured data: parsed JSON, attribute maps, tool
 * arguments. Object keys act as names, so `{"env": {"API_TOKEN": "…"}}` redacts the token.
 */
export interface ValueRedactor extends Redactor {
  /** Walks objects and arrays; strings are redacted with the nearest key as their name. */
  redactValue(value: unknown, name?: string): ValueRedactionResult;
  /** Redacts a JSON document; returns the input unchanged (byte for byte) when nothing was found. */
  redactJsonString(json: string): RedactionResult;
}
