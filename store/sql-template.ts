/**
 * Renders the `.sql` templates in `sql/`: replaces `{database}` and `{ttl_days}` with values that
 * were validated first (an identifier, a whole number of days), so nothing reaches the SQL text
 * unchecked. Bound query parameters (`{name:Type}`) are left alone for the client to bind; any
 * other `{placeholder}` left over is an error, not silently sent to ClickHouse.
 */
import { PermanentError } from '../lib/errors.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const MAX_TTL_DAYS = 36_500;

export interface TemplateValues {
  database: string;
  ttlDays: number;
}

/** Returns `name` when it is a plain ClickHouse identifier; throws PermanentError otherwise. */
export function checkIdentifier(name: string, what = 'identifier'): string {
  if (!IDENTIFIER.test(name)) {
    throw new PermanentError('CONFIG_INVALID', `${what} must match ${IDENTIFIER.source}: ${JSON.stringify(name)}`);
  }
  return name;
}

export function checkTtlDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_TTL_DAYS) {
    throw new PermanentError('CONFIG_INVALID', `ttlDays must be a whole number in 1..${MAX_TTL_DAYS}: ${days}`);
  }
  return days;
}

export function renderSql(template: string, values: TemplateValues): string {
  const substitutions: Record<string, string> = {
    database: checkIdentifier(values.database, 'database'),
    ttl_days: String(checkTtlDays(values.ttlDays)),
  };
  const rendered = template.replace(/\{(database|ttl_days)\}/g, (_m, key: string) => substitutions[key] ?? '');
  const leftover = /\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(rendered);
  if (leftover) {
    throw new PermanentError('INVALID_MIGRATION', `unknown placeholder ${leftover[0]} in SQL template`);
  }
  return rendered;
}

/** Splits a file into statements at `;` ending a line; drops parts that hold only comments. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((part) => part.trim())
    .filter((part) => part.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')));
}
