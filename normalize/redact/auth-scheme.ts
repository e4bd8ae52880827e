/**
 * HTTP auth values (`Bearer <token>`, `Basic <base64>`, `token <pat>`): the scheme word is kept,
 * the credential after it is the secret. Used for `Authorization:` headers and for values of
 * auth-like names.
 */

const SCHEME = /^(bearer|token|basic|digest|negotiate|ntlm|apikey|api-key|aws4-hmac-sha256|sharedkey)[ \t]+(?=\S)/i;

export interface AuthSplit {
  /** Offset of the credential inside the value. */
  offset: number;
  kind: 'basic_auth' | 'bearer_token';
}

export function splitAuthScheme(value: string): AuthSplit | undefined {
  const m = SCHEME.exec(value);
  if (m === null) return undefined;
  const scheme = (m[1] ?? '').toLowerCase();
  return { offset: m[0].length, kind: scheme === 'basic' ? 'basic_auth' : 'bearer_token' };
}
