/**
 * Secrets hidden in base64: `echo Z2hwX… | base64 -d`, a Kubernetes Secret's `data:`, a
 * `.env` file or a PEM key piped through `base64 -w0`. A base64 run is decoded and the decoded
 * text scanned by the other detectors; when they find a secret, the whole run is redacted as
 * `base64_secret`. Base64 that holds no secret (images, hashes, ordinary payloads) is kept.
 *
 * Cost: the detector has its own gate, case-sensitive (base64 is), checked on every string: a
 * plain loop looks for 16 base64 characters in a row, then one prefix-trie expression for the
 * base64 spellings of the plain-text beginnings of secrets (`ghp_`, `AKIA`, `-----BEGIN`,
 * `password`, …) at each of the three byte alignments — only the characters fully determined by
 * the beginning itself, at least four. Only runs holding one are decoded and scanned.
 */
import { type SecretDetector, type SecretMatch, PRIORITY_STRUCTURE } from './detector.js';
import { trieExpression } from './trie-expression.js';

/** Plain-text beginnings of secrets whose base64 spellings gate the detector (case matters). */
export const ENCODED_BEGINNINGS: readonly string[] = [
  'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-', 'gldt-', 'glrt-',
  'xoxb-', 'xoxp-', 'xoxa-', 'xoxe-', 'xoxr-', 'xapp-', 'hooks.slack.com',
  'sk-proj-', 'sk-svcacct-', 'sk-admin-', 'sk-ant-', 'sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'whsec_',
  'AKIA', 'ASIA', 'AIza', 'GOCSPX-', 'npm_', 'hvs.', 'hvb.', 'dckr_pat_', 'glc_', 'glsa_', 'shpat_',
  'lin_api_', 'gsk_', 'dapi', 'figd_', 'pypi-AgE', 'dop_v1_', 'ops_eyJ', 'eyJhbGci',
  'AccountKey=', 'SharedAccessKey=', 'sig=',
  '-----BEGIN', 'PRIVATE KEY',
  'password', 'PASSWORD', 'Password', 'passwd', 'PASSWD',
  'secret', 'SECRET', 'Secret', 'token', 'TOKEN', 'Token', 'api_key', 'API_KEY', 'apiKey', 'ApiKey',
  'Bearer ', 'Basic ', 'Authorization',
  'postgres://', 'postgresql://', 'mysql://', 'mongodb://', 'mongodb+srv://', 'redis://', 'rediss://',
  'amqp://', 'amqps://', 'https://', 'http://', 'ftp://', 'smtp://', 'ldap://',
];

/** Shorter spellings would gate too much ordinary text. */
const MIN_CHUNK = 4;
/** A base64 run: at least 16 characters (12 bytes), at most MAX_RUN (longer ones are data). */
const MIN_RUN = 16;
const RUN = /[A-Za-z0-9+/_-]{16,16384}={0,2}/g;
/** Decoded text must be mostly printable to be text worth scanning. */
const BASE64_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') BASE64_CHAR[c.charCodeAt(0)] = 1;

/** Whether `text` has MIN_RUN base64 characters in a row (a plain loop: cheaper than any expression). */
function hasRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && BASE64_CHAR[c] === 1) {
      if (++run >= MIN_RUN) return true;
    } else run = 0;
  }
  return false;
}

const MIN_PRINTABLE = 0.95;

/** Base64 characters of `text` that do not depend on its neighbours, at each byte alignment. */
export function base64Chunks(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes, Buffer.alloc(3)]).toString('base64');
    const first = Math.ceil((8 * k) / 6);
    const last = Math.floor((8 * (k + bytes.length)) / 6); // exclusive
    const chunk = encoded.slice(first, last);
    if (chunk.length < MIN_CHUNK) continue;
    chunks.push(chunk);
    const urlSafe = chunk.replace(/\+/g, '-').replace(/\//g, '_');
    if (urlSafe !== chunk) chunks.push(urlSafe);
  }
  return chunks;
}

function printableShare(text: string): number {
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) printable++;
  }
  return text.length === 0 ? 0 : printable / text.length;
}

function decode(run: string): string {
  const body = run.replace(/=+$/, '');
  const urlSafe = /[-_]/.test(body);
  return Buffer.from(body, urlSafe ? 'base64url' : 'base64').toString('latin1');
}

/** `findIn(text)`: the other detectors' findings in decoded text (must not include this one). */
export function base64Detector(findIn: (text: string) => readonly SecretMatch[]): SecretDetector {
  const chunks = [...new Set(ENCODED_BEGINNINGS.flatMap(base64Chunks))];
  const gate = trieExpression(chunks);
  return {
    id: 'base64_secret',
    // Gated by its own case-sensitive expression (base64 is case-sensitive, and a hundred
    // spellings would slow the scanner's shared case-insensitive gate for every string).
    triggers: [],
    scan(text, out) {
      if (!hasRun(text) || !gate.test(text)) return;
      RUN.lastIndex = 0;
      for (const m of text.matchAll(RUN)) {
        const run = m[0];
        if (!gate.test(run)) continue;
        const decoded = decode(run);
        if (printableShare(decoded) < MIN_PRINTABLE) continue;
        if (findIn(decoded).length === 0) continue;
        out.push({ start: m.index, end: m.index + run.length, kind: 'base64_secret', priority: PRIORITY_STRUCTURE });
      }
    },
  };
}
