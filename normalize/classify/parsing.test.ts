/**
 * Parsing building blocks: shell words and quoting, unwrapping, argv flag folding, SQL
 * statement reading (parser and token fallback), path resolution and the LRU cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv } from './argv/parse-argv.js';
import { loadRules, DEFAULT_RULES_DIR } from './index.js';
import { BoundedMap } from '../../lib/bounded.js';
import { parseShell } from './shell/parse-shell.js';
import { Unwrapper } from './shell/unwrap.js';
import { literal } from './shell/word.js';
import { parseSql } from './sql/parse-sql.js';
import { classifyTokens } from './sql/sql-statement.js';
import { resolvePath } from './targets/paths.js';

const rules = loadRules(DEFAULT_RULES_DIR);
const unwrapper = new Unwrapper(rules.wrappers);
const names = (text: string): string[] => unwrapper.script(text).map((c) => c.words.map((w) => w.text).join(' '));

test('quoted text stays one data word; quotes do not change argv', () => {
  assert.deepEqual(parseShell('echo "rm -rf /"').commands.map((c) => c.words.map((w) => w.text)), [['echo', 'rm -rf /']]);
  assert.deepEqual(parseShell('rm "-rf" \'/x\'').commands[0]!.words.map((w) => w.text), ['rm', '-rf', '/x']);
  assert.deepEqual(parseShell('echo done # && rm -rf /').commands.length, 1);
});

test('expansions: $HOME is ~, unknown variables and substitutions are marked', () => {
  const parsed = parseShell('rm -rf "$HOME/x" $DIR/ "$(pwd)"').commands;
  assert.deepEqual(parsed.map((c) => c.words[0]!.text), ['pwd', 'rm'], 'the substitution runs too');
  const words = parsed.at(-1)!.words;
  assert.equal(words[2]!.text, '~/x');
  assert.equal(words[2]!.unknown, false);
  assert.equal(words[3]!.unknownRoot, true);
  assert.equal(words[4]!.unknownRoot, true);
});

test('unwrapping: wrappers, nested shells, heredocs, pipes into shells, find -exec, xargs', () => {
  assert.deepEqual(names('sudo -u root nice -n 5 rm -rf /x'), ['rm -rf /x']);
  assert.deepEqual(names('env A=1 B=2 timeout 10 git push -f'), ['git push -f']);
  assert.deepEqual(names('bash -c "sh -c \'rm -rf ~\'"'), ['rm -rf ~']);
  assert.deepEqual(names('bash <<EOF\nrm -rf /srv\nEOF\n'), ['rm -rf /srv']);
  assert.deepEqual(names('echo "rm -rf /" | sh'), ['echo rm -rf /', 'rm -rf /']);
  assert.deepEqual(names('find /data -name "*.tmp" -exec rm -f {} \\;').at(-1), 'rm -f /data/**/*.tmp');
  assert.deepEqual(names('ls | xargs -I{} rm -rf {}').at(-1), 'rm -rf *');
  assert.deepEqual(names('echo $(rm -rf /x)')[0], 'rm -rf /x');
  assert.deepEqual(names('bash deploy.sh'), ['bash deploy.sh']);
});

test('argv: every spelling of rm -rf folds to {recursive, force}', () => {
  const rm = rules.commands.find((c) => c.names.includes('rm'))!;
  for (const spelling of [['-rf'], ['-fr'], ['-r', '-f'], ['-Rf'], ['--recursive', '--force'], ['-R', '--force']]) {
    const argv = parseArgv([...spelling, 'x'].map((t) => literal(t)), rm);
    assert.ok(argv.flags.has('recursive') && argv.flags.has('force'), spelling.join(' '));
    assert.deepEqual(argv.positionals.map((p) => p.text), ['x']);
  }
});

test('argv: options with values in every form, subcommands after global options', () => {
  const kubectl = rules.commands.find((c) => c.names.includes('kubectl'))!;
  for (const args of [['-n', 'prod', 'delete', 'pod', 'x'], ['delete', '-nprod', 'pod', 'x'], ['delete', '--namespace=prod', 'pod', 'x']]) {
    const argv = parseArgv(args.map((t) => literal(t)), kubectl);
    assert.deepEqual(argv.subcommand, ['delete']);
    assert.deepEqual(argv.options.get('namespace'), ['prod']);
    assert.deepEqual(argv.positionals.map((p) => p.text), ['pod', 'x']);
  }
});

test('SQL: parser reading, token fallback, quoted and commented SQL is not a statement', () => {
  const st = parseSql("DELETE FROM t WHERE id = 1; DROP SCHEMA s CASCADE; SELECT 'DROP TABLE x' -- DROP TABLE y", 'postgres');
  assert.deepEqual(st.map((s) => [s.verb, s.object, s.has_where]), [['delete', '', true], ['drop', 'schema', false], ['select', '', false]]);
  const fb = classifyTokens('ALTER TABLE events DELETE WHERE 1');
  assert.equal(fb.verb, 'delete');
  assert.equal(fb.parsed, false);
  assert.equal(classifyTokens('UPDATE t SET a = (SELECT 1 WHERE x)').has_where, false, 'a WHERE inside a subquery does not limit the UPDATE');
  assert.equal(classifyTokens("DELETE FROM t -- WHERE id = 1").has_where, false);
});

test('paths resolve against cwd, ~ stays symbolic', () => {
  assert.equal(resolvePath('build/', '/repo'), '/repo/build');
  assert.equal(resolvePath('../x', '/repo/a'), '/repo/x');
  assert.equal(resolvePath('~/', '/repo'), '~');
  assert.equal(resolvePath('~/a/../b', '/repo'), '~/b');
  assert.equal(resolvePath('/*', '/repo'), '/*');
});

test('a bounded map read with lookup evicts the least recently used entry; a cap of 0 holds nothing', () => {
  const lru = new BoundedMap<string, number>(2);
  lru.set('a', 1);
  lru.set('b', 2);
  assert.equal(lru.lookup('a'), 1);
  lru.set('c', 3);
  assert.equal(lru.lookup('b'), undefined);
  assert.equal(lru.lookup('a'), 1);
  assert.equal(lru.size, 2);
  const off = new BoundedMap<string, number>(0);
  off.set('a', 1);
  assert.equal(off.size, 0);
});
