/**
 * Turns validated mapping tables into lookups built once at construction: each rule's field
 * lists are pre-merged (rule fields, then its table's, then the base table's), and rules are
 * indexed by the names they recognise, so finding the rule for a record costs a map lookup plus
 * the few rules that recognise records by attributes alone. A rule's `session_fallback: trace`
 * becomes the last session key (`@trace`, read by RecordView). Rule order is the tie-break: source
 * tables in file-name order, then the base table, each in the order its rules are written.
 */
import {
  ARGUMENT_FIELDS,
  MAPPED_FIELDS,
  type ArgumentField,
  type FixedStatus,
  type MappedField,
  type MappingTable,
  type MatchCondition,
  type RecordKind,
  type ToolPhase,
} from './mapping-table.js';
import { TRACE_SESSION_KEY, type RecordView } from './record-view.js';
import { asString } from '../decode/otlp/values.js';

export interface CompiledRule {
  source: string;
  ruleId: string;
  kind: RecordKind;
  phase: ToolPhase;
  status: FixedStatus | undefined;
  /** Attribute keys per field, in lookup order; every field present (possibly empty). */
  fields: Readonly<Record<MappedField, readonly string[]>>;
  argumentFields: Readonly<Record<ArgumentField, readonly string[]>>;
}

interface Entry {
  order: number;
  rule: CompiledRule;
  signal: 'traces' | 'logs' | undefined;
  scope: ReadonlySet<string> | undefined;
  attributes: ReadonlyArray<[string, ReadonlySet<string>]>;
  present: readonly string[];
}

export interface CompiledMappings {
  /** The rule for this record (the base table's catch-all when nothing else matches). */
  ruleFor(view: RecordView): CompiledRule;
  readonly sources: readonly string[];
}

function merge(...lists: Array<readonly string[] | undefined>): string[] {
  const out: string[] = [];
  for (const list of lists) for (const key of list ?? []) if (!out.includes(key)) out.push(key);
  return out;
}

function entryMatches(entry: Entry, view: RecordView): boolean {
  if (entry.signal !== undefined && entry.signal !== view.record.signal) return false;
  if (entry.scope !== undefined && !entry.scope.has(view.record.scope?.name ?? '')) return false;
  for (const key of entry.present) {
    const value = view.get(key);
    if (value === undefined || value === null) return false;
  }
  for (const [key, wanted] of entry.attributes) {
    const value = view.get(key);
    if (value === undefined || !wanted.has(asString(value))) return false;
  }
  return true;
}

export function compileMappings(tables: readonly MappingTable[]): CompiledMappings {
  const base = tables.find((t) => t.base);
  if (!base) throw new Error('compileMappings: no base table (tables must be validated first)');
  const ordered = [...tables.filter((t) => !t.base), base];
  const byName = new Map<string, Entry[]>();
  const unnamed: Entry[] = [];
  let catchAll: CompiledRule | undefined;
  let order = 0;

  for (const table of ordered) {
    const argumentFields = {} as Record<ArgumentField, string[]>;
    for (const f of ARGUMENT_FIELDS) argumentFields[f] = merge(table.argument_fields[f], base.argument_fields[f]);
    for (const rule of table.rules) {
      const fields = {} as Record<MappedField, string[]>;
      for (const f of MAPPED_FIELDS) fields[f] = merge(rule.fields[f], table.fields[f], base.fields[f]);
      // The fallback comes after every key that can name the session, whichever table it is in.
      if (rule.session_fallback === 'trace') fields.session_id = merge(fields.session_id, [TRACE_SESSION_KEY]);
      const compiled: CompiledRule = {
        source: table.source,
        ruleId: rule.id,
        kind: rule.kind,
        phase: rule.phase,
        status: rule.status,
        fields,
        argumentFields,
      };
      if (rule.match.length === 0) {
        catchAll ??= compiled;
        continue;
      }
      for (const cond of rule.match) addEntry(cond, compiled, order++);
    }
  }
  if (!catchAll) throw new Error('compileMappings: the base table has no catch-all rule');
  const fallback = catchAll;

  function addEntry(cond: MatchCondition, rule: CompiledRule, at: number): void {
    const entry: Entry = {
      order: at,
      rule,
      signal: cond.signal,
      scope: cond.scope ? new Set(cond.scope) : undefined,
      attributes: Object.entries(cond.attributes ?? {}).map(([k, v]) => [k, new Set(v)]),
      present: cond.present ?? [],
    };
    if (!cond.name) {
      unnamed.push(entry);
      return;
    }
    for (const name of cond.name) {
      const list = byName.get(name) ?? [];
      list.push(entry);
      byName.set(name, list);
    }
  }

  return {
    sources: ordered.map((t) => t.source),
    ruleFor(view: RecordView): CompiledRule {
      let best: Entry | undefined;
      for (const name of view.names) {
        const list = byName.get(name);
        if (!list) continue;
        for (const entry of list) {
          if (best !== undefined && entry.order >= best.order) break;
          if (entryMatches(entry, view)) {
            best = entry;
            break;
          }
        }
      }
      for (const entry of unnamed) {
        if (best !== undefined && entry.order >= best.order) break;
        if (entryMatches(entry, view)) {
          best = entry;
          break;
        }
      }
      return best ? best.rule : fallback;
    },
  };
}
