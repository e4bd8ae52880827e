/**
 * Which names hold secrets. A name (env var, flag, JSON key, header) is split into words
 * (`AWS_SECRET_ACCESS_KEY`, `clientSecret`, `x-api-key`, `PGPASSWORD`) and its *last* word
 * decides: `DB_PASSWORD` is a password, `PASSWORD_FILE` and `secretName` are not. Classes:
 * - `password`: any value is a secret (passwords are often low-entropy);
 * - `secret`: any value is a secret (tokens, keys, credentials, auth);
 * - `weak`: only a random-looking value is a secret (`key`, `signature`, `cookie`).
 * Placeholders and references (`$TOKEN`, `${{ secrets.X }}`, `<token>`, `***`) are never secrets.
 */

export type SecretNameClass = 'password' | 'secret' | 'weak';

/** Last words that make any value a password. */
const PASSWORD_WORD = /(?:password|passwd|passphrase|storepass|keypass)$/;
const PASSWORD_EXACT = new Set(['pass', 'pwd', 'passwd', 'pw', 'pword', 'passin', 'passout']);
/** Names that end like a password word but are not one (the shell's working directory). */
const NOT_SECRET_NAMES = new Set(['pwd', 'oldpwd']);

/** Last words that make any value a secret. */
const SECRET_WORD = /(?:secret|token|apikey|accesskey|secretkey|privatekey|credential|credentials)$/;
const SECRET_EXACT = new Set(['auth', 'authorization', 'creds', 'cred', 'sas', 'authtoken', 'bearer']);
/** `<qualifier>_key` is a secret for these qualifiers (`api_key`, `ACCESS_KEY`, `AccountKey`). */
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'client', 'auth', 'signing', 'encryption', 'master',
  'account', 'shared', 'storage', 'service', 'admin', 'app', 'subscription', 'webhook',
  'session', 'license', 'consumer', 'sharedaccess', 'primary', 'secondary', 'deploy', 'ssh',
]);
/** Last words whose values are secrets only when they look random. */
/** Plurals are weak: `max_tokens`, `keys`, `secrets` usually hold counts or names, not secrets. */
const WEAK_EXACT = new Set(['key', 'sig', 'signature', 'cookie', 'hmac', 'tokens', 'keys', 'secrets', 'passwords']);

/** Splits `AWS_SECRET_ACCESS_KEY`, `clientSecret`, `x-api-key`, `APIKey` into lower-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

export function classifySecretName(name: string): SecretNameClass | undefined {
  if (name.length === 0 || name.length > 128) return undefined;
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined) return undefined;
  if (words.length === 1 && NOT_SECRET_NAMES.has(last)) return undefined;
  if (PASSWORD_EXACT.has(last) || PASSWORD_WORD.test(last)) return 'password';
  if (SECRET_EXACT.has(last) || SECRET_WORD.test(last)) return 'secret';
  const previous = words[words.length - 2];
  if (last === 'key' && previous !== undefined && KEY_QUALIFIERS.has(previous)) return 'secret';
  if (WEAK_EXACT.has(last)) return 'weak';
  return undefined;
}

const PLACEHOLDER_WORDS = new Set([
  'null', 'none', 'nil', 'true', 'false', 'undefined', 'empty', 'redacted', 'prompt', 'stdin', '-',
]);
/** `$VAR`, `${VAR}`, `$(cmd)`, `%VAR%`, `{{ … }}`, `${{ … }}`, `<…>`, `***`, `xxxx`, `...`. */
const REFERENCE = /^(?:\$[A-Za-z_{(][^\s]*|\$\([^)]*\)|%[A-Za-z_][A-Za-z0-9_]*%|\{\{.*\}\}|\$\{\{.*\}\}|<[^<>]*>|\*+|x{3,}|X{3,}|\.{3,}|…)$/;
/** A file path (the value names where the secret is, it is not the secret). */
const PATH = /^(?:\/|\.{1,2}\/|~\/)[A-Za-z0-9_./@-]*$/;

/** True for values that are not secrets whatever their name: empty, placeholders, references. */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (PLACEHOLDER_WORDS.has(v.toLowerCase())) return true;
  return REFERENCE.test(v) || PATH.test(v);
}
