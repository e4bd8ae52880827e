/**
 * Intents waiting for their executions, per session, oldest first. Bounded twice: intents
 * older than `window_ms` (by the injected clock) expire silently, and past `max_pending` the
 * oldest goes. An intent reported twice under one call id (telemetry's tool_decision and the
 * PreToolUse hook) is merged: missing fields filled, a rejection kept, announced once either
 * report announced something. Pairing: by call id;
 * else, when either side has no id, by order and command similarity.
 */
import type { AuditEvent, Severity } from '../../model/audit-event.js';
import { isRejected, maxSeverity } from '../common/actions.js';
import { BoundedMap } from '../../lib/bounded.js';
import { commandTokens, jaccard } from '../common/tokens.js';
import type { IntentMismatchConfig } from './config.js';

export interface PendingIntent {
  key: string;
  event_id: string;
  tool_call_id: string;
  tool: string;
  command: string;
  tokens: string[];
  targets: string[];
  action_class: string;
  severity: Severity;
  destructive: boolean;
  decision: string;
  denied: boolean;
  /**
   * Whether the intent announced what it would do (a command, arguments or targets). Claude
   * Code's and Codex's `tool_decision` carry only the tool and the decision: such an intent is
   * a receipt, with nothing to compare the execution against.
   */
  announced: boolean;
  at_ms: number;
}

/** Arguments that say something: not empty, not `{}`, `[]` or `null`. */
function hasArguments(json: string): boolean {
  const text = json.trim();
  return text !== '' && text !== '{}' && text !== '[]' && text !== 'null';
}

export function toPending(event: AuditEvent, nowMs: number): PendingIntent {
  return {
    key: event.tool_call_id || `event:${event.event_id}`,
    event_id: event.event_id, tool_call_id: event.tool_call_id, tool: event.tool, command: event.command,
    tokens: commandTokens(event.command), targets: [...event.targets], action_class: event.action_class,
    severity: event.severity, destructive: event.destructive, decision: event.decision,
    denied: isRejected(event.decision),
    announced: event.command !== '' || event.targets.length > 0 || hasArguments(event.arguments), at_ms: nowMs,
  };
}

export class PendingIntents {
  private readonly byKey: BoundedMap<string, PendingIntent>;

  constructor(private readonly config: IntentMismatchConfig) {
    this.byKey = new BoundedMap(config.max_pending);
  }

  get size(): number {
    return this.byKey.size;
  }

  add(intent: PendingIntent): void {
    const prev = this.byKey.get(intent.key);
    if (prev === undefined) {
      this.byKey.set(intent.key, intent);
      return;
    }
    if (prev.command === '' && intent.command !== '') {
      // The later report carries the command: its classification describes the call.
      Object.assign(prev, { command: intent.command, tokens: intent.tokens, action_class: intent.action_class, severity: intent.severity, destructive: intent.destructive });
    } else {
      prev.severity = maxSeverity(prev.severity, intent.severity);
      prev.destructive ||= intent.destructive;
    }
    if (prev.targets.length === 0) prev.targets = intent.targets;
    prev.announced ||= intent.announced;
    if (intent.denied) [prev.denied, prev.decision] = [true, intent.decision];
  }

  /** Drops intents older than the window. */
  expire(nowMs: number): void {
    if (this.byKey.size === 0) return; // called for every event: most sessions hold no intent
    for (const [key, p] of [...this.byKey.entries()]) if (nowMs - p.at_ms > this.config.window_ms) this.byKey.delete(key);
  }

  /** Removes and returns the intent paired with an execution, if any. */
  take(event: AuditEvent): PendingIntent | undefined {
    if (event.tool_call_id !== '') {
      const byId = this.byKey.get(event.tool_call_id);
      if (byId !== undefined) {
        this.byKey.delete(byId.key);
        return byId;
      }
    }
    if (this.byKey.size === 0) return undefined;
    const found = this.bySimilarity(event);
    if (found !== undefined) this.byKey.delete(found.key);
    return found;
  }

  /** Commands by token Jaccard; calls without a command by their targets, same tool only. */
  private similarity(p: PendingIntent, event: AuditEvent, tokens: string[]): number {
    if (p.command !== '' && event.command !== '') return jaccard(p.tokens, tokens);
    if (p.tool.toLowerCase() !== event.tool.toLowerCase()) return 0;
    return jaccard(p.targets, event.targets);
  }

  private bySimilarity(event: AuditEvent): PendingIntent | undefined {
    const tokens = commandTokens(event.command);
    const candidates: PendingIntent[] = [];
    for (const p of this.byKey.values()) {
      if (p.tool_call_id !== '' && event.tool_call_id !== '') continue;
      candidates.push(p);
      if (candidates.length >= this.config.pair_window) break;
    }
    let best: PendingIntent | undefined;
    let bestSim = -1;
    for (const p of candidates) {
      const sim = this.similarity(p, event, tokens);
      if (sim > bestSim) [best, bestSim] = [p, sim];
    }
    if (best !== undefined && bestSim >= this.config.pair_min_similarity) return best;
    const sameTool = candidates.filter((p) => p.tool.toLowerCase() === event.tool.toLowerCase());
    return candidates.length === 1 && sameTool.length === 1 ? sameTool[0] : undefined;
  }
}
