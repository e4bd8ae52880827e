/**
 * The `warden` commands and how each is loaded: `programFor(argv)` imports only the module of the
 * command asked for (`warden hook`, which agents run around every tool call, loads the hook
 * client alone; `warden sessions` an API client; only `warden start` loads the service). The
 * overview (`warden`, `warden --help`, an unknown command) is drawn from the terms and summaries
 * below and loads no command module; commands.test.ts checks they match what each module
 * registers. A new command is one entry here.
 */
import { Command, Help } from 'commander';

type Register = (program: Command) => void;

export interface CommandEntry {
  /** How the overview lists it: the name, `[options]` when it has options, its arguments. */
  term: string;
  summary: string;
  load: () => Promise<Register>;
}

/** In the overview's order. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  start: {
    term: 'start [options]',
    summary: 'run Warden: OTLP receiver, ingestion pipeline and API',
    load: async () => (await import('./start.js')).registerStartCommand,
  },
  sessions: {
    term: 'sessions [options]',
    summary: 'list agent sessions with state, counts and last activity',
    load: async () => (await import('./sessions.js')).registerSessionsCommand,
  },
  timeline: {
    term: 'timeline [options] <session>',
    summary: 'show what a session did, each intent paired with its execution; !! marks destructive actions',
    load: async () => (await import('./timeline.js')).registerTimelineCommand,
  },
  incident: {
    term: 'incident [options] <session>',
    summary: 'post-incident report for a session: summary, goal, revocation, findings, blast radius, destructive actions',
    load: async () => (await import('./incident.js')).registerIncidentCommand,
  },
  revoke: {
    term: 'revoke [options] <session>',
    summary: 'revoke a session: its hooks deny every further tool call',
    load: async () => (await import('./revoke.js')).registerRevocationCommands,
  },
  reinstate: {
    term: 'reinstate [options] <session>',
    summary: 'lift a revocation (recorded, never silent)',
    load: async () => (await import('./revoke.js')).registerRevocationCommands,
  },
  stopped: {
    term: 'stopped [options]',
    summary: 'what the gate stopped before it ran (denied, or with --ask: staged for a person), newest first',
    load: async () => (await import('./gate.js')).registerGateCommands,
  },
  allow: {
    term: 'allow [options] <decision-id>',
    summary: 'let the next call like a denied one (same session, tool and command) through once',
    load: async () => (await import('./gate.js')).registerGateCommands,
  },
  query: {
    term: 'query [options] <sql>',
    summary: 'run a read-only SQL query against a running Warden (e.g. "SELECT count() FROM audit_events")',
    load: async () => (await import('./query.js')).registerQueryCommand,
  },
  demo: {
    term: 'demo [options]',
    summary: 'replay recorded agent incidents against a running Warden and show what it caught',
    load: async () => (await import('./demo.js')).registerDemoCommand,
  },
  'verify-log': {
    term: 'verify-log [options] [file]',
    summary: 'verify the revocation log: its hash chain, and that the ClickHouse mirror holds no record it lacks; exit 1 when it was tampered with',
    load: async () => (await import('./verify-log.js')).registerVerifyLogCommand,
  },
  exec: {
    term: 'exec [options] <command...>',
    summary: "run a command only when Warden's gate allows it, and record how it ended (for agents without hooks)",
    load: async () => (await import('./exec.js')).registerExecCommand,
  },
  connect: {
    term: 'connect [options] <agent>',
    summary: "print or write an agent's settings for Warden: hooks through the hook client, its telemetry to Warden, an ingest token",
    load: async () => (await import('./connect.js')).registerConnectCommand,
  },
  hook: {
    term: 'hook <agent> [event]',
    summary: 'agent hook adapter: forward the hook event on stdin to Warden, deny the tool call when Warden says so',
    load: async () => (await import('./hook.js')).registerHookCommand,
  },
};

/** The command a command line asks for (`warden help <command>` too), if it names one. */
export function commandNamed(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

/** The program for `argv` (process.argv's shape): the command asked for, or the overview. */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const program = new Command()
    .name('warden')
    .description('Audit trail and kill switch for AI agents that act on real systems.')
    .version('0.1.0')
    .showHelpAfterError();
  const name = commandNamed(argv.slice(2));
  if (name !== undefined) {
    (await COMMANDS[name]!.load())(program);
    return program;
  }
  const terms = new Map<Command, string>();
  for (const [commandName, entry] of Object.entries(COMMANDS)) {
    terms.set(program.command(commandName).description(entry.summary), entry.term);
  }
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? help.subcommandTerm(cmd) });
  return program;
}
