/**
 * The redaction contract: replace every secret in a string with `[REDACTED:<kind>]` and say how
 * many were found, of which kinds. Must be idempotent (redacting twice changes nothing more).
 */
export interface RedactionResult {
  text: string;
  count: number;
  kinds: string[];
}

export interface Redactor {
  redact(text: string): RedactionResult;
  /** Redacts a value stored under an attribute name: secret-like names make high-entropy values secrets. */
  redactNamed(name: string, value: string): RedactionResult;
}
