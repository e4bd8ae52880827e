/**
 * Reading other agents' hook payloads into the common hook record (`hook-event.ts`): field
 * access that never throws on a wrong type, tool arguments sent as JSON text or as an object,
 * Warden's tool names for what each agent calls its shell, file and MCP tools, and the check every
 * adapter ends with (a session and an event, or the payload is unreadable).
 *
 * Warden's tool names are Claude Code's (`Bash`, `Write`, `Edit`, `Read`, `Glob`, `Grep`,
 * `WebFetch`) and `mcp__<server>__<tool>` for an MCP tool: the classifier's tool table knows them,
 * so a command, a written path or a `DROP TABLE` sent to an MCP database tool is classified the
 * same whichever agent sent it. The agent's own name stays with the event (`agent_tool`).
 */
import type { HookInput } from './hook-event.js';

export type Fields = Record<string, unknown>;

export const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function fieldsOf(value: unknown): Fields {
  return isFields(value) ? value : {};
}

/** The payload as an object; throws (the payload is unreadable) otherwise. */
export function payloadObject(payload: unknown): Fields {
  if (!isFields(payload)) throw new Error('hook input is not a JSON object');
  return payload;
}

/**
 * Tool arguments sent as an object or as JSON text of one (Copilot's `toolArgs`, Cursor's MCP
 * `tool_input`). Text that is not a JSON object is kept whole under `input`, so nothing is lost.
 */
export function argumentsOf(value: unknown): Fields | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    if (value.trim() === '') return null;
    try {
      const parsed: unknown = JSON.parse(value);
      return isFields(parsed) ? parsed : { input: parsed };
    } catch {
      return { input: value };
    }
  }
  return isFields(value) ? value : { input: value };
}

/** Warden's name for an MCP tool: `mcp__<server>__<tool>` (Claude Code's form). */
export function mcpToolName(server: string, tool: string): string {
  return server === '' ? `mcp__${tool}` : `mcp__${server}__${tool}`;
}

/** Looks a tool name up case-insensitively in an agent's table; unknown names are kept. */
export function toolNameFrom(table: Readonly<Record<string, string>>, name: string): string {
  return table[name.toLowerCase()] ?? name;
}

export interface CommonFields {
  session_id: string;
  hook_event_name: string;
  agent_event: string;
  tool_name?: string;
  agent_tool?: string;
  tool_input?: unknown;
  tool_use_id?: string;
  cwd?: string;
  attributes?: Record<string, string | boolean>;
}

/** The common record; throws when the agent's payload named no session or no event. */
export function commonInput(raw: Fields, fields: CommonFields, sessionField: string, eventField: string): HookInput {
  if (fields.session_id === '') throw new Error(`hook input has no ${sessionField}`);
  if (fields.hook_event_name === '') throw new Error(`hook input has no ${eventField}`);
  const input: HookInput = {
    session_id: fields.session_id,
    hook_event_name: fields.hook_event_name,
    tool_name: fields.tool_name ?? '',
    tool_input: fields.tool_input ?? null,
    tool_use_id: fields.tool_use_id ?? '',
    cwd: fields.cwd ?? '',
    raw,
  };
  if (fields.agent_event !== fields.hook_event_name) input.agent_event = fields.agent_event;
  if (fields.agent_tool && fields.agent_tool !== fields.tool_name) input.agent_tool = fields.agent_tool;
  if (fields.attributes) input.attributes = fields.attributes;
  return input;
}

/** The reason with what an operator can do, as one line the agent shows. */
export function reasonText(reason: string, remedy: string): string {
  return remedy ? `${reason} — ${remedy}` : reason;
}
