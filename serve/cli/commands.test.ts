/**
 * The command table of the `warden` command line: the overview drawn from it (without loading any
 * command module) reads exactly as the overview of a program with every command module
 * registered, and a command line loads the module of the command it names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command, Help } from 'commander';
import { COMMANDS, commandNamed, programFor } from './commands.js';

const argv = (...args: string[]): string[] => ['node', 'warden', ...args];

test('each command module registers the term and summary the overview shows for it', async () => {
  const help = new Help();
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const program = new Command();
    (await entry.load())(program);
    const registered = program.commands.find((c) => c.name() === name);
    assert.ok(registered, `${name}: its module registers no command of that name`);
    assert.equal(help.subcommandTerm(registered), entry.term, `${name}: term`);
    assert.equal(registered.description(), entry.summary, `${name}: summary`);
  }
});

test('the overview equals that of a program with every command module registered', async () => {
  const eager = new Command().name('warden').description('Audit trail and kill switch for AI agents that act on real systems.').version('0.1.0');
  const registered = new Set<unknown>();
  for (const entry of Object.values(COMMANDS)) {
    const register = await entry.load();
    if (registered.has(register)) continue; // revoke and reinstate, stopped and allow share a module
    registered.add(register);
    register(eager);
  }
  const overview = await programFor(argv('--help'));
  assert.equal(overview.helpInformation(), eager.helpInformation());
  assert.deepEqual(
    overview.commands.map((c) => c.name()),
    eager.commands.map((c) => c.name()),
  );
});

test('a command line names its command, after help too; options and unknown words name none', () => {
  assert.equal(commandNamed(['hook', 'claude-code']), 'hook');
  assert.equal(commandNamed(['--json', 'sessions']), 'sessions');
  assert.equal(commandNamed(['help', 'verify-log']), 'verify-log');
  assert.equal(commandNamed(['--help']), undefined);
  assert.equal(commandNamed([]), undefined);
  assert.equal(commandNamed(['help']), undefined);
  assert.equal(commandNamed(['toString']), undefined);
  assert.equal(commandNamed(['bogus', 'start']), undefined);
});

test('the program for a command holds that command alone (or with its module\'s other one)', async () => {
  assert.deepEqual((await programFor(argv('sessions', '--json'))).commands.map((c) => c.name()), ['sessions']);
  assert.deepEqual((await programFor(argv('help', 'hook'))).commands.map((c) => c.name()), ['hook']);
  assert.deepEqual((await programFor(argv('reinstate', 'abc'))).commands.map((c) => c.name()), ['revoke', 'reinstate']);
  assert.deepEqual((await programFor(argv('allow', 'gd_1', '--reason', 'planned'))).commands.map((c) => c.name()), ['stopped', 'allow']);
});
