/**
 * Secrets recognisable by where they sit rather than by their own shape: PEM private key
 * blocks, passwords in URLs (`scheme://user:PASSWORD@host`, user and host kept), HTTP auth
 * schemes (`Bearer …`, `Basic …`), and password arguments of well-known CLIs (`curl -u u:p`,
 * `mysql -pX`, `docker login -p X`, `sshpass -p X`, `redis-cli -a X`).
 */
import { type RegexRule, PRIORITY_STRUCTURE } from './detector.js';
import { isPlaceholderValue } from './secret-names.js';
import { looksRandom } from './entropy.js';

/** A value after `-p`/`-a`: single-quoted, double-quoted or bare. Used with group 'first'. */
const ARG_VALUE = String.raw`(?:'([^'\n]*)'|"([^"\n]*)"|([^\s'"]+))`;
/** Further along the same shell command (not past separators or pipes; bounded, so scans stay linear). */
const SAME_COMMAND = String.raw`[^\n;|&]{0,512}?`;

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
    pattern: /\b[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/[^\s:/?#@"'<>]*:([^\s/?#"'<>]+)@/,
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
  {
    kind: 'basic_auth',
    pattern: new RegExp(String.raw`\bcurl\b${SAME_COMMAND}\s(?:-u|--user|--proxy-user|-U)[ =]?(['"]?)[^\s:'"]*:([^\s'"]+)\1`),
    group: 2,
    triggers: ['curl'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mariadb|mariadb-dump)\b${SAME_COMMAND}\s-p${ARG_VALUE}`),
    group: 'first',
    triggers: ['mysql', 'mariadb'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\b(?:docker|podman|nerdctl|buildah|skopeo|helm registry|oras)\s+login\b${SAME_COMMAND}\s-p[ =]?${ARG_VALUE}`),
    group: 'first',
    triggers: ['login'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bsshpass\s+-p\s*${ARG_VALUE}`),
    group: 'first',
    triggers: ['sshpass'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bredis-cli\b${SAME_COMMAND}\s(?:-a|--pass)\s+${ARG_VALUE}`),
    group: 'first',
    triggers: ['redis-cli'],
    accept: notPlaceholder,
  },
];

export const STRUCTURAL_RULES: readonly RegexRule[] = RULES.map((rule) => ({ ...rule, priority: PRIORITY_STRUCTURE }));
