/**
 * Secrets recognisable by where they sit in a text format rather than by their own shape: PEM
 * private key blocks, passwords in URLs (`scheme://user:PASSWORD@host`, user and host kept) and
 * HTTP auth schemes (`Bearer …`, `Basic …`). Password arguments of CLIs and SQL statements are in
 * `command-rules.ts`.
 */
import { type RegexRule, PRIORITY_STRUCTURE } from './detector.js';
import { isPlaceholderValue } from './secret-names.js';
import { looksRandom } from './entropy.js';

const notPlaceholder = (v: string): boolean => !isPlaceholderValue(v);

/** `Basic` credentials are base64 of `user:password`: check it decodes to that shape. */
function isBasicCredential(v: string): boolean {
  if (v.length % 4 !== 0) return false;
  const decoded = Buffer.from(v, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

/** A bearer value must look like a token, not a word (`Bearer authentication is …`). */
function isTokenLike(v: string): boolean {
  return looksRandom(v) || (/[0-9]/.test(v) && /[A-Za-z]/.test(v) && v.length >= 16);
}

const RULES: RegexRule[] = [
  {
    // Multi-line PEM, or a JSON/escaped one on a single line; a block cut off before its END
    // line (truncated tool output) is redacted up to where the base64 stops.
    kind: 'private_key',
    pattern: /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,.-]*)/,
    triggers: ['private key'],
  },
  {
    kind: 'url_password',
    // A `#` is allowed in the password (people type it unencoded); `/` and `?` end the authority.
    pattern: /\b[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/[^\s:/?#@"'<>]*:([^\s/?"'<>]+)@/,
    group: 1,
    triggers: ['://'],
    accept: notPlaceholder,
  },
  {
    kind: 'bearer_token',
    pattern: /\b(?:bearer|token)\s+([A-Za-z0-9._~+/-]{12,}=*)/i,
    group: 1,
    triggers: ['bearer', 'token'],
    accept: isTokenLike,
  },
  {
    kind: 'basic_auth',
    pattern: /\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/i,
    group: 1,
    triggers: ['basic'],
    accept: isBasicCredential,
  },
];

export const STRUCTURAL_RULES: readonly RegexRule[] = RULES.map((rule) => ({ ...rule, priority: PRIORITY_STRUCTURE }));
