/**
 * Applies a compiled mapping rule to one record: reads every mapped field (first key with a
 * usable value wins, looked up in record attributes, then a log's key-value body, then the
 * resource), parses the tool arguments, and falls back to the command / cwd inside the arguments
 * (an argument key may be a dotted path, `kwargs.command`).
 * The result is still raw — not classified, not redacted — and must not leave normalize as is.
 */
import type { Phase } from '../model/audit-event.js';
import type { AnyValue } from '../decode/otlp/records.js';
import type { CompiledRule } from './mapping-compile.js';
import { LIST_FIELDS, STRING_FIELDS, type ListField, type StringField } from './mapping-table.js';
import type { RecordView } from './record-view.js';
import { argvToCommand, asBoolean, asInteger, asString, asStringList, isKvList, toPlain, tryParseJson, type PlainValue } from '../decode/otlp/values.js';

export interface RawFields {
  strings: Record<StringField, string>;
  lists: Record<ListField, string[]>;
  phase: Phase;
  /** Parsed arguments (object or array), or the raw text when it is not JSON; undefined when absent. */
  args: PlainValue | undefined;
  /** Arguments as the classifier wants them: an object, empty when absent or not an object. */
  argsObject: Record<string, unknown>;
  success: boolean | undefined;
  exitCode: number | null;
}

const nonEmptyString = (v: AnyValue): boolean => asString(v) !== '';
const nonEmptyList = (v: AnyValue): boolean => asStringList(v).length > 0;
const isBooleanLike = (v: AnyValue): boolean => asBoolean(v) !== undefined;
const isIntegerLike = (v: AnyValue): boolean => asInteger(v) !== null;

/** Fields that only mean something on a tool call. */
const TOOL_ONLY = new Set<StringField>(['tool', 'tool_call_id', 'command', 'cwd', 'decision', 'phase']);

export function extractFields(view: RecordView, rule: CompiledRule): RawFields {
  const isTool = rule.kind === 'tool';
  const strings = {} as Record<StringField, string>;
  for (const field of STRING_FIELDS) {
    strings[field] = isTool || !TOOL_ONLY.has(field) ? asString(view.first(rule.fields[field], nonEmptyString)) : '';
  }
  const lists = {} as Record<ListField, string[]>;
  for (const field of LIST_FIELDS) {
    lists[field] = field === 'targets' && !isTool ? [] : asStringList(view.first(rule.fields[field], nonEmptyList));
  }

  let phase: Phase = 'session';
  if (rule.kind === 'other') phase = 'execution';
  if (isTool) phase = strings.phase === 'intent' || strings.phase === 'execution' ? strings.phase : rule.phase;

  let args: PlainValue | undefined;
  let argsObject: Record<string, unknown> = {};
  if (isTool) {
    const raw = view.first(rule.fields.arguments, nonEmptyString);
    if (typeof raw === 'string') {
      const parsed = tryParseJson(raw);
      args = parsed === undefined || typeof parsed !== 'object' || parsed === null ? raw : (parsed as PlainValue);
    } else if (raw !== undefined) {
      args = toPlain(raw);
    }
    if (isKvList(args as AnyValue)) argsObject = args as Record<string, unknown>;
    // Text that is not JSON (Codex's freeform apply_patch, local_shell) reaches the classifier as
    // `input`, where it looks for a patch body; the stored arguments stay the text as sent.
    else if (typeof args === 'string') argsObject = { input: args };
    if (strings.command === '') strings.command = commandFromArguments(argsObject, rule.argumentFields.command);
    if (strings.cwd === '') strings.cwd = stringFromArguments(argsObject, rule.argumentFields.cwd);
  }

  return {
    strings,
    lists,
    phase,
    args,
    argsObject,
    success: asBoolean(view.first(rule.fields.success, isBooleanLike)),
    exitCode: asInteger(view.first(rule.fields.exit_code, isIntegerLike)),
  };
}

/** An argument by key, else by dotted path (`kwargs.command`) when no argument has that exact key. */
function argumentAt(args: Record<string, unknown>, key: string): unknown {
  if (key in args || !key.includes('.')) return args[key];
  let value: unknown = args;
  for (const step of key.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

function commandFromArguments(args: Record<string, unknown>, keys: readonly string[]): string {
  for (const key of keys) {
    const value = argumentAt(args, key);
    if (typeof value === 'string' && value !== '') return value;
    if (Array.isArray(value) && value.length > 0) return argvToCommand(value);
  }
  return '';
}

function stringFromArguments(args: Record<string, unknown>, keys: readonly string[]): string {
  for (const key of keys) {
    const value = argumentAt(args, key);
    if (typeof value === 'string' && value !== '') return value;
  }
  return '';
}
