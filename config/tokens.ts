/**
 * API tokens. Each token has a tenant and roles (`ingest`, `read`, `operate`, `admin`,
 * `cross_tenant`). A token sees its own tenant only — an admin token too — unless it has
 * `cross_tenant`, which lets it read another tenant with `?tenant=` (each such read is logged and
 * counted). Tokens live in a YAML file (`tokens: [{name, token, tenant, roles}]`) readable by the
 * owner only. On first start, when the file does not exist, Warden writes one with a single admin
 * token for the `default` tenant (without `cross_tenant`), so no endpoint is ever left open by
 * default. Lookups compare SHA-256 digests, so the time taken does not depend on how much of a
 * token matched.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { PermanentError } from '../lib/errors.js';

export const ROLES = ['ingest', 'read', 'operate', 'admin', 'cross_tenant'] as const;
export type Role = (typeof ROLES)[number];
/** Roles of the token written on first start: everything within its own tenant. */
export const FIRST_TOKEN_ROLES: Role[] = ['ingest', 'read', 'operate', 'admin'];

export interface Principal {
  name: string;
  tenant: string;
  roles: ReadonlySet<Role>;
}

export interface TokenEntry {
  name: string;
  token: string;
  tenant: string;
  roles: Role[];
}

export class TokenRegistry {
  private readonly byDigest = new Map<string, Principal>();

  constructor(entries: TokenEntry[]) {
    for (const entry of entries) {
      this.byDigest.set(digest(entry.token), { name: entry.name, tenant: entry.tenant, roles: new Set(entry.roles) });
    }
  }

  lookup(token: string): Principal | undefined {
    return this.byDigest.get(digest(token));
  }

  get size(): number {
    return this.byDigest.size;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `wdn_${randomBytes(24).toString('base64url')}`;
}

/** Validates a parsed token file, reporting every problem at once. */
export function parseTokenFile(text: string, source: string): TokenEntry[] {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new PermanentError('TOKENS_INVALID', `${source}: not valid YAML (${(err as Error).message})`);
  }
  const list = (doc as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(list)) throw new PermanentError('TOKENS_INVALID', `${source}: expected a top-level "tokens:" list`);
  const entries: TokenEntry[] = [];
  const seen = new Set<string>();
  list.forEach((raw: unknown, i) => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const where = `${source}: tokens[${i}]`;
    const token = typeof item.token === 'string' ? item.token : '';
    if (token.length < 16) problems.push(`${where}.token must be a string of at least 16 characters`);
    if (seen.has(token)) problems.push(`${where}.token is a duplicate`);
    seen.add(token);
    const tenant = typeof item.tenant === 'string' && item.tenant !== '' ? item.tenant : '';
    if (tenant === '') problems.push(`${where}.tenant must be a non-empty string`);
    const roles = Array.isArray(item.roles) ? item.roles : [];
    if (roles.length === 0) problems.push(`${where}.roles must list at least one of ${ROLES.join(', ')}`);
    for (const role of roles) {
      if (!(ROLES as readonly unknown[]).includes(role)) problems.push(`${where}.roles has unknown role ${JSON.stringify(role)}`);
    }
    entries.push({ name: typeof item.name === 'string' ? item.name : `token-${i}`, token, tenant, roles: roles as Role[] });
  });
  if (problems.length > 0) {
    throw new PermanentError('TOKENS_INVALID', `invalid token file:\n  - ${problems.join('\n  - ')}`, { details: { problems } });
  }
  return entries;
}

/** Loads the token file, creating it with one admin token when it does not exist yet. */
export function loadOrCreateTokens(file: string): { registry: TokenRegistry; created?: TokenEntry } {
  if (!fs.existsSync(file)) {
    const entry: TokenEntry = { name: 'admin', token: generateToken(), tenant: 'default', roles: [...FIRST_TOKEN_ROLES] };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const header = '# Warden API tokens. Keep this file private (mode 0600).\n';
    fs.writeFileSync(file, header + stringify({ tokens: [entry] }), { mode: 0o600 });
    return { registry: new TokenRegistry([entry]), created: entry };
  }
  return { registry: new TokenRegistry(parseTokenFile(fs.readFileSync(file, 'utf8'), file)) };
}
