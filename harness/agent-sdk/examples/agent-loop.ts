/**
 * An agent loop connected to Warden: every tool call the model proposes is gated before it runs,
 * what ran is reported after, a denied or unapproved call never runs (its reason goes back to the
 * model), and a revoked session stops the loop.
 *
 * `runAgentLoop(warden, model, runTool, options)` is the loop; the model and the tool runner are
 * passed in. Run as a script it plays a scripted model through a dry-run tool runner (nothing is
 * executed), with the task of a real incident: a migration fixed on production by dropping the
 * live table.
 *
 *   WARDEN_URL=http://127.0.0.1:4318 WARDEN_TOKEN=wdn_… npx tsx examples/agent-loop.ts
 *
 * In your project, import from '@warden/harness' instead of '../src/index.js'.
 */
import { pathToFileURL } from 'node:url';
import { createWarden, type GateAnswer, type SessionContext, type Warden } from '../src/index.js';

/** One tool call the model proposes. */
export interface Step {
  tool: string;
  command?: string;
  arguments?: Record<string, unknown>;
  cwd?: string;
}

export interface ToolResult {
  exitCode: number;
  output: string;
  error?: string;
}

/** What the loop did with one proposed step. */
export interface StepOutcome {
  step: Step;
  decision: GateAnswer['decision'];
  reason: string;
  ran: boolean;
  toolCallId: string;
}

/** The model: given what happened so far, the next tool call, or null when it is done. */
export type Model = (history: readonly StepOutcome[]) => Promise<Step | null>;
export type RunTool = (step: Step, signal: AbortSignal) => Promise<ToolResult>;

export interface LoopOptions {
  /** Aborted when the session is revoked (wire it to createWarden's onRevoked); the loop stops and the running tool is told. */
  signal?: AbortSignal;
  /** Asked when Warden answers `ask`: run the call only if a person approves. Without it an ask is not run. */
  approve?: (step: Step, answer: GateAnswer) => Promise<boolean>;
  /** At most this many steps; default 50. */
  maxSteps?: number;
}

export interface LoopReport {
  outcomes: StepOutcome[];
  /** Why the loop stopped early ('' when the model finished). */
  stopped: string;
}

export async function runAgentLoop(warden: Warden, model: Model, runTool: RunTool, options: LoopOptions = {}): Promise<LoopReport> {
  const outcomes: StepOutcome[] = [];
  const signal = options.signal ?? new AbortController().signal;
  for (let i = 0; i < (options.maxSteps ?? 50); i++) {
    if (signal.aborted) return { outcomes, stopped: `session revoked: ${String(signal.reason)}` };
    const step = await model(outcomes);
    if (step === null) return { outcomes, stopped: '' };

    // 1. Before the call: Warden decides, and records the intent as the session's receipt.
    const answer = await warden.gate(step);
    const approved = answer.decision === 'allow' || (answer.decision === 'ask' && options.approve !== undefined && (await options.approve(step, answer)));
    if (!approved || signal.aborted) {
      // Not run. The reason goes back to the model (in a real agent: as the tool's result).
      outcomes.push({ step, decision: answer.decision, reason: answer.reason, ran: false, toolCallId: answer.toolCallId });
      continue;
    }

    // 2. The call runs; 3. what ran is reported with the same tool-call id.
    const started = performance.now();
    let result: ToolResult;
    try {
      result = await runTool(step, signal);
    } catch (err) {
      result = { exitCode: 1, output: '', error: (err as Error).message };
    }
    await warden.executed({
      toolCallId: answer.toolCallId,
      exitCode: result.exitCode,
      output: result.output,
      ...(result.error !== undefined ? { error: result.error } : {}),
      durationMs: performance.now() - started,
    });
    outcomes.push({ step, decision: answer.decision, reason: answer.reason, ran: true, toolCallId: answer.toolCallId });
  }
  return { outcomes, stopped: 'step limit reached' };
}

/** A model that proposes a fixed list of steps, one per turn. */
export function scriptedModel(steps: readonly Step[]): Model {
  return async (history) => steps[history.length] ?? null;
}

/** The demo's task: a migration that failed on production. */
export const DEMO_SESSION: Omit<SessionContext, 'id'> = {
  agent: 'example-agent',
  goal: "The nightly migration failed on prod with 'relation orders_new already exists' — fix it so it runs",
  environment: 'prod',
};

const PSQL = 'psql -h orders-db.prod.internal -U migrator -d shop -c';
/** What the scripted model proposes; the fourth step drops the live table. */
export const DEMO_STEPS: readonly Step[] = [
  { tool: 'shell', command: 'cat migrations/20261120_orders_partitioning.sql', cwd: '/home/dev/shop' },
  { tool: 'shell', command: `${PSQL} '\\dt orders*'`, cwd: '/home/dev/shop' },
  { tool: 'shell', command: `${PSQL} 'SELECT count(*) FROM orders_new'`, cwd: '/home/dev/shop' },
  { tool: 'shell', command: `${PSQL} 'DROP TABLE orders CASCADE;'`, cwd: '/home/dev/shop' },
  { tool: 'shell', command: 'npm run migrate -- --env production', cwd: '/home/dev/shop' },
];

/** Runs nothing: prints what would run. */
export const dryRun: RunTool = async (step) => {
  console.log(`  (dry run) ${step.command ?? `${step.tool} ${JSON.stringify(step.arguments ?? {})}`}`);
  return { exitCode: 0, output: '' };
};

async function main(): Promise<void> {
  const aborter = new AbortController();
  const warden = createWarden({
    url: process.env.WARDEN_URL ?? 'http://127.0.0.1:4318',
    token: process.env.WARDEN_TOKEN,
    session: DEMO_SESSION,
    failMode: 'closed',
    canAsk: false, // no person at hand: Warden's "ask" is a deny
    onRevoked: (reason) => aborter.abort(reason),
  });
  console.log(`session ${warden.sessionId}`);
  const report = await runAgentLoop(warden, scriptedModel(DEMO_STEPS), dryRun, { signal: aborter.signal });
  for (const o of report.outcomes) console.log(`${o.ran ? 'ran   ' : o.decision.padEnd(6)} ${o.step.command ?? o.step.tool}${o.ran ? '' : `\n       ${o.reason}`}`);
  if (report.stopped) console.log(`stopped: ${report.stopped}`);
  const { undelivered } = await warden.close();
  if (undelivered > 0) console.error(`${undelivered} record(s) could not be delivered to Warden`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
