/**
 * `warden incident <session>`: a post-incident report from a running Warden — session summary,
 * goal, revocation, findings with their explanations, blast radius and the destructive actions
 * in order — as Markdown (default) or JSON. Four API reads: the session, its findings, its blast
 * radius and its timeline.
 */
import type { Command } from 'commander';
import type { Finding } from '../../model/finding.js';
import type { SessionView } from '../api/queries/session-view.js';
import type { BlastRadius } from '../api/queries/blast-radius.js';
import { operatorClient, reportErrors, sessionPath, withConnection, type ConnectionOptions } from './api-client.js';
import { renderIncidentJson, renderIncidentMarkdown, type IncidentData } from './incident-report.js';
import type { TimelineAnswer } from './timeline.js';

type IncidentOptions = ConnectionOptions & { format: string; tenant?: string };

export function registerIncidentCommand(program: Command): void {
  withConnection(
    program
      .command('incident')
      .description('post-incident report for a session: summary, goal, revocation, findings, blast radius, destructive actions')
      .argument('<session>', 'session id')
      .option('--format <format>', 'md or json', 'md')
      .option('--tenant <tenant>', 'admin tokens: the session\'s tenant'),
  )
    .addHelpText('after', '\nExamples:\n  warden incident 3f2c9a1e-… > incident.md\n  warden incident 3f2c9a1e-… --format json | jq .findings')
    .action((sessionId: string, options: IncidentOptions) =>
      reportErrors('incident', async () => {
        if (options.format !== 'md' && options.format !== 'json') throw new Error(`--format must be md or json, not ${JSON.stringify(options.format)}`);
        const client = operatorClient(options);
        const tenant = { tenant: options.tenant };
        const [session, findings, blastRadius, timeline] = await Promise.all([
          client.get<SessionView>(sessionPath(sessionId), tenant),
          client.get<{ findings: Finding[] }>('/api/v1/findings', { session: sessionId, limit: 1000, ...tenant }),
          client.get<BlastRadius>(sessionPath(sessionId, '/blast-radius'), tenant),
          client.get<TimelineAnswer>(sessionPath(sessionId, '/timeline'), { limit: 50_000, ...tenant }),
        ]);
        const data: IncidentData = { session, findings: findings.findings, blastRadius, timeline: timeline.items, generatedAt: new Date().toISOString() };
        process.stdout.write(options.format === 'json' ? `${renderIncidentJson(data)}\n` : `${renderIncidentMarkdown(data)}\n`);
      }),
    );
}
