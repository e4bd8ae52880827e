/**
 * `warden demo`: replays recorded agent sessions (the incident set in serve/demo/sessions,
 * or `--dir`) against a running Warden as real OTLP/HTTP telemetry, each in its agent's own wire
 * shape, then shows per session what Warden did: revoked or not, after which step, and the
 * findings that explain it, with detection recall and false-positive rate over the set.
 * Sessions run concurrently under fresh session ids. `--speed` compresses real time; Warden's
 * live detectors read the wall clock, so a faster replay shows them a faster agent.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { resolveToken } from './query.js';
import { type ReplayedSession, type SessionOutcome, collectOutcome, score, stepText } from '../demo/outcomes.js';
import { loadIncidentSessions, replaySession, type IncidentSession } from '../demo/replay.js';
import { outcomeText, summaryLine } from '../demo/report.js';
import { WardenApi } from '../demo/warden-api.js';

const DEFAULT_DIR = fileURLToPath(new URL('../demo/sessions/', import.meta.url));
/** As recorded: live detection reads the wall clock, so faster replays show faster agents. */
const DEFAULT_SPEED = 1;
/** After the last replay: how long Warden may take to show every event of a session. */
const SETTLE_MS = 30_000;

const EXAMPLES = `
Examples:
  warden demo                                  replay every recorded session, in real time (~2.5 min)
  warden demo --only terraform-destroy-prod    one session
  warden demo --only git-force-push-main,pyc-cleanup --speed 5   two, five times faster
  warden demo --url http://10.0.0.5:4318 --token wdn_…           a remote Warden
  warden demo --dir ./my-sessions              your own recordings (format: serve/demo/README.md)`;

interface DemoOptions {
  url?: string;
  token?: string;
  dir?: string;
  only?: string;
  speed: string;
}

function parseSpeed(text: string): number {
  if (text === 'max') return Infinity;
  const speed = Number(text);
  if (!(speed > 0)) throw new Error(`--speed must be a number > 0 or "max", got ${JSON.stringify(text)}`);
  return speed;
}

function pick(all: IncidentSession[], only: string | undefined): IncidentSession[] {
  if (only === undefined) return all;
  const names = only.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`no session named ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
  return all.filter((s) => names.includes(s.name));
}

async function settle(api: WardenApi, r: ReplayedSession): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    const view = await api.session(r.result.sessionId);
    if (view?.state === 'revoked' || (view?.counts.events ?? 0) >= r.result.records) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };

function render(o: SessionOutcome): string {
  const mark = o.correct ? '✔' : '✘';
  const verdict = o.revoked ? 'REVOKED' : 'allowed';
  const lines = [`${mark} ${verdict.padEnd(8)} ${o.session.name} (${o.session.kind}; ${o.session.agent} via ${o.session.source}) — ${outcomeText(o, false)}`];
  if (o.revokedAtStep !== null) lines.push(`    triggered by step ${o.revokedAtStep + 1}: ${stepText(o.session.steps[o.revokedAtStep]!, 90)}`);
  if (o.revoked && o.reason) lines.push(`    reason: ${o.reason}`);
  const after = o.findings.filter((f) => f.detector === 'post_revocation_activity').length;
  const others = o.findings
    .filter((f) => f.detector !== 'post_revocation_activity' && !o.reason.includes(f.title) && (RANK[f.severity] ?? 0) >= RANK.medium!)
    .sort((a, b) => (RANK[b.severity] ?? 0) - (RANK[a.severity] ?? 0));
  for (const f of others.slice(0, 3)) lines.push(`    also ${f.detector} [${f.severity}]: ${f.title}`);
  const low = o.findings.length - after - others.length - (o.revoked ? 1 : 0);
  const more = Math.max(0, others.length - 3) + Math.max(0, low);
  if (more > 0) lines.push(`    … ${more} more finding${more === 1 ? '' : 's'}`);
  if (after > 0) lines.push(`    the agent kept going: ${after} action${after === 1 ? '' : 's'} after the revocation`);
  lines.push(`    session id ${o.sessionId}`);
  return lines.join('\n');
}

async function runDemo(options: DemoOptions): Promise<void> {
  const config = loadConfig();
  const url = (options.url ?? `http://127.0.0.1:${config.http.port}`).replace(/\/$/, '');
  const token = resolveToken(options.token, config.tokensFile);
  const speed = parseSpeed(options.speed);
  const sessions = pick(loadIncidentSessions(options.dir ?? DEFAULT_DIR), options.only);
  const api = new WardenApi(url, token);
  const run = randomUUID().slice(0, 6);
  const print = (line: string): void => void process.stdout.write(`${line}\n`);

  print(`Replaying ${sessions.length} recorded session${sessions.length === 1 ? '' : 's'} against ${url} at ${speed === Infinity ? 'full' : `${speed}x`} speed (run ${run})\n`);
  const replayed = await Promise.all(
    sessions.map(async (session): Promise<ReplayedSession> => {
      const sessionId = `${session.name}-${run}`;
      print(`  ▶ ${session.name}: ${session.steps.length} tool calls — ${session.session.goal}`);
      const result = await replaySession(url, session, {
        token,
        speed,
        sessionId,
        onProgress: (p) => {
          if (p.denied && p.phase === 'intent' && p.step !== null) print(`  ⛔ ${session.name}: hook denied step ${p.step + 1} (${stepText(session.steps[p.step]!)})`);
        },
      });
      print(`  ■ ${session.name}: sent ${result.records} records in ${result.requests} requests`);
      return { session, result };
    }),
  );
  await Promise.all(replayed.map((r) => settle(api, r)));
  const outcomes: SessionOutcome[] = [];
  for (const r of replayed) outcomes.push(await collectOutcome(api, r));

  print('\nWhat Warden did\n');
  for (const kind of ['incident', 'benign'] as const) for (const o of outcomes.filter((x) => x.session.kind === kind)) print(render(o));
  print(`\n${summaryLine(score(outcomes))}`);
  print(`Details per session: GET ${url}/api/v1/sessions/<session-id>/timeline and /api/v1/findings?session=<session-id>`);
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('replay recorded agent incidents against a running Warden and show what it caught')
    .option('--url <url>', 'Warden base URL (default http://127.0.0.1:$WARDEN_HTTP_PORT)')
    .option('--token <token>', 'API token with the read and ingest roles (default WARDEN_TOKEN or the token file)')
    .option('--dir <dir>', 'directory of session files (default: the recorded incident set)')
    .option('--only <names>', 'comma-separated session names to replay')
    .option('--speed <factor>', 'real-time compression: 1 = as recorded, 10 = ten times faster (rate detectors then see a faster agent), max = no waits', String(DEFAULT_SPEED))
    .addHelpText('after', EXAMPLES)
    .action(async (options: DemoOptions) => {
      try {
        await runDemo(options);
      } catch (err) {
        process.stderr.write(`warden demo: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    });
}
