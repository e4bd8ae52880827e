/**
 * Webhook endpoints from the environment. `WARDEN_WEBHOOKS_FILE` names a YAML file:
 *
 *   endpoints:
 *     - name: vault
 *       url: https://creds.example.com/hooks/warden
 *       secret_env: VAULT_WEBHOOK_SECRET      # or `secret: whsec_…` (prefer the env var)
 *       events: [session.revoked, session.reinstated]   # default; finding.created is opt-in
 *
 * and `WARDEN_WEBHOOK_URL` + `WARDEN_WEBHOOK_SECRET` add one endpoint named `default`. Every
 * problem is reported at once (INVALID_WEBHOOK_CONFIG, with `details.problems`). Secrets must be
 * Standard Webhooks secrets (`whsec_` + base64 of 24–64 bytes); they never appear in messages or
 * logs, and the `secret` property is not enumerable, so serializing an endpoint leaves it out.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PermanentError } from '../lib/errors.js';

export const WEBHOOK_EVENT_TYPES = ['session.revoked', 'session.reinstated', 'finding.created'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventType[] = ['session.revoked', 'session.reinstated'];
export const DEFAULT_ENDPOINT_NAME = 'default';

export interface WebhookEndpoint {
  name: string;
  url: string;
  /** `whsec_…`; not enumerable. */
  secret: string;
  events: readonly WebhookEventType[];
}

type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function loadWebhookEndpoints(env: Env, readText: (path: string) => string = (p) => readFileSync(p, 'utf8')): WebhookEndpoint[] {
  const problems: string[] = [];
  const endpoints: WebhookEndpoint[] = [];
  const file = env.WARDEN_WEBHOOKS_FILE;
  if (file) {
    let doc: unknown;
    try {
      doc = parse(readText(file));
    } catch (err) {
      problems.push(`WARDEN_WEBHOOKS_FILE: cannot read or parse ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (doc !== undefined) endpoints.push(...fromDocument(doc, env, problems));
  }
  if (env.WARDEN_WEBHOOK_URL !== undefined || env.WARDEN_WEBHOOK_SECRET !== undefined) {
    const where = 'WARDEN_WEBHOOK_URL/WARDEN_WEBHOOK_SECRET';
    if (!env.WARDEN_WEBHOOK_URL) problems.push(`${where}: WARDEN_WEBHOOK_URL is not set`);
    if (!env.WARDEN_WEBHOOK_SECRET) problems.push(`${where}: WARDEN_WEBHOOK_SECRET is not set`);
    const endpoint = checkEndpoint(where, DEFAULT_ENDPOINT_NAME, env.WARDEN_WEBHOOK_URL, env.WARDEN_WEBHOOK_SECRET, undefined, problems);
    if (endpoint && env.WARDEN_WEBHOOK_URL && env.WARDEN_WEBHOOK_SECRET) endpoints.push(endpoint);
  }
  const seen = new Set<string>();
  for (const e of endpoints) {
    if (seen.has(e.name)) problems.push(`endpoint name ${e.name} is used twice`);
    seen.add(e.name);
  }
  if (problems.length > 0) {
    throw new PermanentError('INVALID_WEBHOOK_CONFIG', `invalid webhook configuration:\n- ${problems.join('\n- ')}`, { details: { problems } });
  }
  return endpoints;
}

function fromDocument(doc: unknown, env: Env, problems: string[]): WebhookEndpoint[] {
  const list = (doc as { endpoints?: unknown } | null)?.endpoints;
  if (!Array.isArray(list)) {
    problems.push('WARDEN_WEBHOOKS_FILE: expected `endpoints:` with a list of endpoints');
    return [];
  }
  const out: WebhookEndpoint[] = [];
  list.forEach((item: unknown, i) => {
    const where = `endpoints[${i}]`;
    if (typeof item !== 'object' || item === null) {
      problems.push(`${where}: not a mapping`);
      return;
    }
    const e = item as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!['name', 'url', 'secret', 'secret_env', 'events'].includes(key)) problems.push(`${where}: unknown field ${key}`);
    }
    let secret: string | undefined;
    if (e.secret !== undefined && e.secret_env !== undefined) problems.push(`${where}: give secret or secret_env, not both`);
    else if (e.secret_env !== undefined) {
      if (typeof e.secret_env !== 'string' || !ENV_NAME.test(e.secret_env)) problems.push(`${where}.secret_env: not an environment variable name`);
      else if (!env[e.secret_env]) problems.push(`${where}.secret_env: environment variable ${e.secret_env} is not set`);
      else secret = env[e.secret_env];
    } else if (e.secret !== undefined) {
      if (typeof e.secret !== 'string') problems.push(`${where}.secret: not a string`);
      else secret = e.secret;
    } else problems.push(`${where}: secret_env (or secret) is required`);
    const endpoint = checkEndpoint(where, e.name, e.url, secret, e.events, problems);
    if (endpoint) out.push(endpoint);
  });
  return out;
}

function checkEndpoint(where: string, name: unknown, url: unknown, secret: string | undefined, events: unknown, problems: string[]): WebhookEndpoint | undefined {
  const before = problems.length;
  if (typeof name !== 'string' || !NAME.test(name)) problems.push(`${where}.name: letters, digits, '_', '.', '-' (1–64), starting with a letter or digit`);
  if (url !== undefined) checkUrl(`${where}.url`, url, problems);
  else problems.push(`${where}.url: required`);
  if (secret !== undefined) checkSecret(`${where}: secret`, secret, problems);
  const types = checkEvents(`${where}.events`, events, problems);
  if (problems.length > before || secret === undefined || typeof url !== 'string' || typeof name !== 'string') return undefined;
  const endpoint: Omit<WebhookEndpoint, 'secret'> = { name, url, events: types };
  Object.defineProperty(endpoint, 'secret', { value: secret, enumerable: false });
  return endpoint as WebhookEndpoint;
}

function checkUrl(where: string, url: unknown, problems: string[]): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) problems.push(`${where}: not an http(s) URL`);
}

/** Problems are described without the secret's value. */
function checkSecret(where: string, secret: string, problems: string[]): void {
  const m = SECRET.exec(secret);
  if (!m) {
    problems.push(`${where} is not in whsec_<base64> form`);
    return;
  }
  const bytes = Buffer.from(m[1]!, 'base64').length;
  if (bytes < 24 || bytes > 64) problems.push(`${where} decodes to ${bytes} bytes; Standard Webhooks secrets are 24–64 bytes`);
}

function checkEvents(where: string, events: unknown, problems: string[]): WebhookEventType[] {
  if (events === undefined) return [...DEFAULT_WEBHOOK_EVENTS];
  if (!Array.isArray(events) || events.length === 0) {
    problems.push(`${where}: a non-empty list of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
    return [];
  }
  const known = new Set<string>(WEBHOOK_EVENT_TYPES);
  for (const e of events) if (typeof e !== 'string' || !known.has(e)) problems.push(`${where}: unknown event type ${JSON.stringify(e)}`);
  return events.filter((e): e is WebhookEventType => typeof e === 'string' && known.has(e));
}

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
