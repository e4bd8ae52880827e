/**
 * The shape of a mapping table (`sources/*.yaml`): how one telemetry source (Claude Code, Codex,
 * hook forwarders, plain OTel GenAI) is recognised and which of its attributes fill which
 * AuditEvent field. Field names of agents' events change between versions, so this knowledge is
 * data; the code only knows the mechanism.
 *
 * A table has `source` (written into AuditEvent.source), table-wide `fields`, optional
 * `argument_fields` (keys inside the parsed tool arguments that hold the command or cwd) and
 * `rules`. A rule says how to recognise a record (`match`: one condition set or a list of
 * alternatives), what kind of record it is (`tool`, `session`, `other`), its default phase and
 * outcome, and extra `fields`. Exactly one table is the `base`: its fields apply to every record
 * after the matching table's own, and its rules catch whatever no other table recognised.
 */

/** AuditEvent fields read as one string (first non-empty key wins). */
export const STRING_FIELDS = [
  /** The event name, for records that carry it only as a field (hook payloads). */
  'name',
  'session_id',
  'agent_id',
  'user_id',
  'phase',
  'tool',
  'tool_call_id',
  'command',
  'cwd',
  'environment',
  'goal',
  'decision',
  'error_type',
] as const;

/** AuditEvent fields read as string lists (array, JSON-encoded array or comma-separated). */
export const LIST_FIELDS = ['targets', 'scope_allow', 'scope_deny'] as const;

/** Fields with their own reading: JSON arguments, a success flag, an integer exit code. */
export const SPECIAL_FIELDS = ['arguments', 'success', 'exit_code'] as const;

export const MAPPED_FIELDS = [...STRING_FIELDS, ...LIST_FIELDS, ...SPECIAL_FIELDS] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];
export type StringField = (typeof STRING_FIELDS)[number];
export type ListField = (typeof LIST_FIELDS)[number];

/** Keys inside the parsed tool arguments that can hold the command or the working directory. */
export const ARGUMENT_FIELDS = ['command', 'cwd'] as const;
export type ArgumentField = (typeof ARGUMENT_FIELDS)[number];

export const RECORD_KINDS = ['tool', 'session', 'other'] as const;
/** `tool`: an action (classified); `session`: a session-level declaration; `other`: anything else. */
export type RecordKind = (typeof RECORD_KINDS)[number];

export const TOOL_PHASES = ['intent', 'execution'] as const;
export type ToolPhase = (typeof TOOL_PHASES)[number];

export const FIXED_STATUSES = ['ok', 'error'] as const;

/** Where a rule's records get a session when none of its keys holds one: `trace` = `trace:<trace id>` (spans). */
export const SESSION_FALLBACKS = ['trace'] as const;
export type SessionFallback = (typeof SESSION_FALLBACKS)[number];
export type FixedStatus = (typeof FIXED_STATUSES)[number];

export type FieldMap = Partial<Record<MappedField, string[]>>;
export type ArgumentFieldMap = Partial<Record<ArgumentField, string[]>>;

/** All conditions of one match must hold. */
export interface MatchCondition {
  signal?: 'traces' | 'logs';
  /** Span name, or a log record's event name / body / `event.name` attribute. */
  name?: string[];
  /** Instrumentation scope name equals one of these. */
  scope?: string[];
  /** Attribute (record, log body or resource) equals one of the values. */
  attributes?: Record<string, string[]>;
  /** Attributes that must be present. */
  present?: string[];
}

export interface MappingRule {
  id: string;
  /** Any one alternative recognises the record; absent means "every record" (base table only). */
  match: MatchCondition[];
  kind: RecordKind;
  /** Default phase for `tool` records; `warden.action.phase` (if mapped) overrides it. */
  phase: ToolPhase;
  /** Outcome the event itself implies (a failure hook), before attributes are read. */
  status?: FixedStatus;
  /** Session when no session key has a value (GenAI/framework tool spans without a conversation id). */
  session_fallback?: SessionFallback;
  fields: FieldMap;
}

export interface MappingTable {
  /** File the table came from, for error messages. */
  file: string;
  source: string;
  description: string;
  base: boolean;
  fields: FieldMap;
  argument_fields: ArgumentFieldMap;
  rules: MappingRule[];
}
