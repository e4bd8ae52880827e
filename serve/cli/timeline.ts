/**
 * `warden timeline <session>`: what a session did, in order (`GET
 * /api/v1/sessions/:id/timeline`): one line per tool call — when, phases seen (intent,
 * execution or both), tool, command or targets, outcome — with destructive actions marked `!!`.
 */
import type { Command } from 'commander';
import type { TimelineEvent, TimelineItem } from '../api/queries/timeline.js';
import { operatorClient, reportErrors, sessionPath, withConnection, type ConnectionOptions } from './api-client.js';
import { shortTime, table, truncate } from './format.js';

export interface TimelineAnswer {
  session_id: string;
  events: number;
  truncated: boolean;
  items: TimelineItem[];
}

function what(event: TimelineEvent): string {
  if (event.command !== '') return event.command;
  if (event.targets.length > 0) return event.targets.join(' ');
  if (event.goal !== '') return `goal: ${event.goal}`;
  return event.name;
}

function outcome(event: TimelineEvent | null): string {
  if (event === null) return '';
  if (event.status === 'error') return event.exit_code !== null ? `error (exit ${event.exit_code})` : `error${event.error_type ? `: ${event.error_type}` : ''}`;
  return event.status === 'ok' ? 'ok' : '';
}

export function timelineRows(items: TimelineItem[]): string[][] {
  return items.map((item) => {
    if (item.kind === 'event') return [shortTime(item.at), item.event.phase, '', item.event.tool || '-', truncate(what(item.event), 100), ''];
    const main = (item.intent ?? item.execution)!;
    const phase = item.intent && item.execution ? 'intent→exec' : item.intent ? 'intent' : 'exec';
    const destructive = [item.intent, item.execution, ...item.related].some((e) => e?.destructive) ? '!!' : '';
    const decision = item.intent?.decision ? ` [${item.intent.decision}]` : '';
    return [shortTime(item.at), phase, destructive, main.tool || '-', truncate(what(main), 100) + decision, outcome(item.execution)];
  });
}

export function timelineText(answer: TimelineAnswer): string {
  if (answer.items.length === 0) return `no events for session ${answer.session_id}`;
  const text = table(['TIME', 'PHASE', '!!', 'TOOL', 'COMMAND / TARGETS', 'OUTCOME'], timelineRows(answer.items));
  return answer.truncated ? `${text}\n(first ${answer.events} events only; use --limit)` : text;
}

export function registerTimelineCommand(program: Command): void {
  withConnection(
    program
      .command('timeline')
      .description('show what a session did, each intent paired with its execution; !! marks destructive actions')
      .argument('<session>', 'session id')
      .option('--limit <n>', 'at most this many events (default 5000)')
      .option('--json', 'print the API answer as JSON'),
  )
    .addHelpText('after', '\nExamples:\n  warden timeline 3f2c9a1e-…\n  warden timeline 3f2c9a1e-… --json | jq \'.items[] | select(.kind == "call")\'')
    .action((sessionId: string, options: ConnectionOptions & { limit?: string; json?: boolean }) =>
      reportErrors('timeline', async () => {
        const answer = await operatorClient(options).get<TimelineAnswer>(sessionPath(sessionId, '/timeline'), { limit: options.limit });
        process.stdout.write(options.json ? `${JSON.stringify(answer, null, 2)}\n` : `${timelineText(answer)}\n`);
      }),
    );
}
