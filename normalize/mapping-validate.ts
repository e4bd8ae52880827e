/**
 * Validation of mapping tables parsed from YAML. Every problem is collected (file, path, what is
 * wrong) rather than stopping at the first, so a broken table set is fixed in one pass; the
 * loader turns the list into a single PermanentError `NORMALIZE_MAPPING_INVALID`.
 */
import {
  ARGUMENT_FIELDS,
  FIXED_STATUSES,
  MAPPED_FIELDS,
  RECORD_KINDS,
  SESSION_FALLBACKS,
  TOOL_PHASES,
  type ArgumentFieldMap,
  type FieldMap,
  type FixedStatus,
  type MappingRule,
  type MappingTable,
  type MatchCondition,
  type RecordKind,
  type SessionFallback,
  type ToolPhase,
} from './mapping-table.js';

type Obj = Record<string, unknown>;

const TABLE_KEYS = new Set(['source', 'description', 'base', 'fields', 'argument_fields', 'rules']);
const RULE_KEYS = new Set(['id', 'match', 'kind', 'phase', 'status', 'session_fallback', 'fields']);
/** A field key: a name, `attr#path`, `@trace`, or a template whose `{key}` parts are each one of those. */
const TEMPLATE = /^(?:[^{}]*\{[^{}]+\})+[^{}]*$/;
const MATCH_KEYS = new Set(['signal', 'name', 'scope', 'attributes', 'present']);

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Checker {
  constructor(
    private readonly file: string,
    readonly problems: string[],
  ) {}

  fail(path: string, message: string): void {
    this.problems.push(`${this.file}: ${path}: ${message}`);
  }

  unknownKeys(obj: Obj, allowed: Set<string>, path: string): void {
    for (const key of Object.keys(obj)) if (!allowed.has(key)) this.fail(`${path}.${key}`, 'unknown key');
  }

  stringList(value: unknown, path: string): string[] {
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
      this.fail(path, 'must be a non-empty list of non-empty strings');
      return [];
    }
    return list as string[];
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(path, `must be one of ${allowed.join(', ')}`);
    return undefined;
  }

  fieldMap<K extends string>(value: unknown, allowed: readonly K[], path: string): Partial<Record<K, string[]>> {
    const out: Partial<Record<K, string[]>> = {};
    if (value === undefined) return out;
    if (!isObj(value)) {
      this.fail(path, 'must be a mapping of field -> attribute keys');
      return out;
    }
    for (const [field, keys] of Object.entries(value)) {
      if (!(allowed as readonly string[]).includes(field)) {
        this.fail(`${path}.${field}`, `unknown field (known: ${allowed.join(', ')})`);
        continue;
      }
      const list = this.stringList(keys, `${path}.${field}`);
      for (const key of list) this.fieldKey(key, `${path}.${field}`);
      out[field as K] = list;
    }
    return out;
  }

  fieldKey(key: string, path: string): void {
    if ((key.includes('{') || key.includes('}')) && !TEMPLATE.test(key)) this.fail(path, `'${key}': a template needs balanced {key} parts`);
    else if (key.startsWith('@') && key !== '@trace') this.fail(path, `'${key}': the only @ key is @trace`);
    else if (key.startsWith('#') || key.endsWith('#')) this.fail(path, `'${key}': write attribute#path`);
  }

  match(value: unknown, path: string): MatchCondition | undefined {
    if (!isObj(value)) {
      this.fail(path, 'must be a mapping');
      return undefined;
    }
    this.unknownKeys(value, MATCH_KEYS, path);
    const cond: MatchCondition = {};
    if (value.signal !== undefined) cond.signal = this.oneOf(value.signal, ['traces', 'logs'] as const, `${path}.signal`);
    if (value.name !== undefined) cond.name = this.stringList(value.name, `${path}.name`);
    if (value.scope !== undefined) cond.scope = this.stringList(value.scope, `${path}.scope`);
    if (value.present !== undefined) cond.present = this.stringList(value.present, `${path}.present`);
    if (value.attributes !== undefined) {
      if (!isObj(value.attributes)) this.fail(`${path}.attributes`, 'must be a mapping of key -> value(s)');
      else {
        cond.attributes = {};
        for (const [key, want] of Object.entries(value.attributes)) {
          const values = typeof want === 'number' || typeof want === 'boolean' ? [String(want)] : want;
          cond.attributes[key] = this.stringList(values, `${path}.attributes.${key}`);
        }
      }
    }
    if (Object.keys(cond).length === 0) this.fail(path, 'a match needs at least one condition');
    return cond;
  }

  rule(value: unknown, path: string, base: boolean): MappingRule | undefined {
    if (!isObj(value)) {
      this.fail(path, 'must be a mapping');
      return undefined;
    }
    this.unknownKeys(value, RULE_KEYS, path);
    const id = typeof value.id === 'string' && value.id !== '' ? value.id : '';
    if (id === '') this.fail(`${path}.id`, 'required, a non-empty string');
    const kind = this.oneOf<RecordKind>(value.kind, RECORD_KINDS, `${path}.kind`);
    let phase: ToolPhase | undefined = 'execution';
    if (value.phase !== undefined) {
      phase = this.oneOf<ToolPhase>(value.phase, TOOL_PHASES, `${path}.phase`);
      if (kind !== 'tool') this.fail(`${path}.phase`, 'only tool rules have a phase');
    }
    let status: FixedStatus | undefined;
    if (value.status !== undefined) status = this.oneOf<FixedStatus>(value.status, FIXED_STATUSES, `${path}.status`);
    let sessionFallback: SessionFallback | undefined;
    if (value.session_fallback !== undefined) {
      sessionFallback = this.oneOf<SessionFallback>(value.session_fallback, SESSION_FALLBACKS, `${path}.session_fallback`);
    }
    const match: MatchCondition[] = [];
    if (value.match === undefined) {
      if (!base) this.fail(`${path}.match`, 'required: a source table must say how to recognise its records');
    } else {
      const alternatives = Array.isArray(value.match) ? value.match : [value.match];
      if (alternatives.length === 0) this.fail(`${path}.match`, 'must not be an empty list');
      alternatives.forEach((alt, i) => {
        const cond = this.match(alt, Array.isArray(value.match) ? `${path}.match[${i}]` : `${path}.match`);
        if (cond) match.push(cond);
      });
    }
    const fields: FieldMap = this.fieldMap(value.fields, MAPPED_FIELDS, `${path}.fields`);
    if (kind === undefined || phase === undefined) return undefined;
    return { id, match, kind, phase, ...(status ? { status } : {}), ...(sessionFallback ? { session_fallback: sessionFallback } : {}), fields };
  }
}

/** Checks one parsed YAML document; problems are appended, the table returned when usable. */
export function parseMappingTable(file: string, doc: unknown, problems: string[]): MappingTable | undefined {
  const check = new Checker(file, problems);
  if (!isObj(doc)) {
    check.fail('(root)', 'must be a mapping with source, rules, …');
    return undefined;
  }
  check.unknownKeys(doc, TABLE_KEYS, '(root)');
  const source = typeof doc.source === 'string' && /^[a-z][a-z0-9_]*$/.test(doc.source) ? doc.source : '';
  if (source === '') check.fail('source', 'required, lowercase snake_case (e.g. claude_code)');
  if (doc.description !== undefined && typeof doc.description !== 'string') check.fail('description', 'must be a string');
  if (doc.base !== undefined && typeof doc.base !== 'boolean') check.fail('base', 'must be true or false');
  const base = doc.base === true;
  const fields: FieldMap = check.fieldMap(doc.fields, MAPPED_FIELDS, 'fields');
  const argumentFields: ArgumentFieldMap = check.fieldMap(doc.argument_fields, ARGUMENT_FIELDS, 'argument_fields');
  const rules: MappingRule[] = [];
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) check.fail('rules', 'required, a non-empty list');
  else {
    const ids = new Set<string>();
    doc.rules.forEach((raw, i) => {
      const rule = check.rule(raw, `rules[${i}]`, base);
      if (!rule) return;
      if (rule.id !== '' && ids.has(rule.id)) check.fail(`rules[${i}].id`, `duplicate rule id '${rule.id}'`);
      ids.add(rule.id);
      rules.push(rule);
    });
    const catchAll = rules.findIndex((r) => r.match.length === 0);
    if (base && catchAll === -1) check.fail('rules', 'the base table needs a last rule without match (the catch-all)');
    if (catchAll !== -1 && catchAll !== rules.length - 1) check.fail(`rules[${catchAll}]`, 'a rule without match must be the last');
  }
  return {
    file,
    source,
    description: typeof doc.description === 'string' ? doc.description : '',
    base,
    fields,
    argument_fields: argumentFields,
    rules,
  };
}

/** Checks the set: unique sources, exactly one base table. */
export function checkTableSet(tables: MappingTable[], problems: string[]): void {
  const seen = new Map<string, string>();
  for (const table of tables) {
    if (table.source === '') continue;
    const other = seen.get(table.source);
    if (other !== undefined) problems.push(`${table.file}: source: '${table.source}' is also the source of ${other}`);
    seen.set(table.source, table.file);
  }
  const bases = tables.filter((t) => t.base).map((t) => t.file);
  if (bases.length !== 1) {
    problems.push(`(table set): exactly one table must have base: true, found ${bases.length}${bases.length ? ` (${bases.join(', ')})` : ''}`);
  }
}
