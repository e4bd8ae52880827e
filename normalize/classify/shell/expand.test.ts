/**
 * The expansions bash performs on a command's words before running them, as the shell walker
 * reproduces them: brace lists of literal text (bounded), variables given a literal by a
 * statement that surely ran before (any doubt makes them unknown), field splitting of known
 * values, and a first word that may expand to nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShell } from './parse-shell.js';
import { Unwrapper } from './unwrap.js';
import { MAX_BRACE_WORDS } from './walk-ast.js';

/** Each simple command as its words; `?` marks an unknown word, `!` one that may vanish. */
const show = (text: string): string[] =>
  parseShell(text).commands.map((c) => c.words.map((w) => `${w.text}${w.unknown ? '?' : ''}${w.vanishes ? '!' : ''}`).join(' '));

test('brace lists of literal text become several words, as in bash', () => {
  assert.deepEqual(show('{rm,-rf,/x}'), ['rm -rf /x']);
  assert.deepEqual(show('r{m,} -rf /x'), ['rm r -rf /x']);
  assert.deepEqual(show('{rm,} -rf /x'), ['rm -rf /x'], 'an empty alternative leaves no word');
  assert.deepEqual(show('{rm,{-rf,/x,}}'), ['rm -rf /x'], 'nested lists');
  assert.deepEqual(show("{psql,-c,'DROP TABLE t'}"), ['psql -c DROP TABLE t'], 'a quoted alternative stays one word');
  assert.deepEqual(show('echo {a,b}{1,2}.txt'), ['echo a1.txt a2.txt b1.txt b2.txt']);
  assert.deepEqual(show('mkdir -p src/{lib,test}'), ['mkdir -p src/lib src/test']);
});

test('what bash does not brace-expand stays one word', () => {
  assert.deepEqual(show("echo '{rm,-rf,/x}'"), ['echo {rm,-rf,/x}'], 'single-quoted');
  assert.deepEqual(show('echo "{rm,-rf,/x}"'), ['echo {rm,-rf,/x}'], 'double-quoted');
  assert.deepEqual(show('echo \\{rm,-rf,/x\\}'), ['echo {rm,-rf,/x}'], 'escaped braces');
  assert.deepEqual(show('echo {a} {} x{y}z'), ['echo {a} {} x{y}z'], 'no comma');
  assert.deepEqual(show('find . -exec rm {} +'), ['find . -exec rm {} +']);
  assert.deepEqual(show('echo {1..3}'), ['echo {1..3}'], 'sequences are not expanded');
  assert.deepEqual(show('X=a,b; echo {$X}'), ['echo {a,b}'], 'a value is not brace-expanded');
});

test('brace expansion is bounded: past the cap the word is unknown, so the command is opaque', () => {
  const lists = (n: number): string => Array.from({ length: n }, () => '{a,b}').join('');
  const under = Math.floor(Math.log2(MAX_BRACE_WORDS));
  assert.equal(parseShell(lists(under)).commands[0]!.words.length, 2 ** under);
  const over = parseShell(`${lists(under + 1)} -rf /x`).commands[0]!.words;
  assert.equal(over.length, 3);
  assert.ok(over[0]!.unknown && over[0]!.unknownRoot);
  const huge = parseShell(lists(40)).commands[0]!.words;
  assert.equal(huge.length, 1, '2^40 words are never built');
});

test('a variable given a literal before is that literal, split on blanks when unquoted', () => {
  assert.deepEqual(show('X=rm; $X -rf /x'), ['rm -rf /x']);
  assert.deepEqual(show('X=rm && ${X} -rf /x'), ['rm -rf /x']);
  assert.deepEqual(show('export X=rm; "$X" -rf /x'), ['rm -rf /x']);
  assert.deepEqual(show('declare X=rm; $X -rf /x'), ['rm -rf /x']);
  assert.deepEqual(show("X='rm -rf'; $X /x"), ['rm -rf /x']);
  assert.deepEqual(show("X='rm -rf'; \"$X\" /x"), ['rm -rf /x'], 'quoted: one word, not split');
  assert.equal(parseShell("X='rm -rf'; \"$X\" /x").commands[0]!.words.length, 2);
  assert.deepEqual(show('X=; $X rm -rf /x'), ['rm -rf /x'], 'an empty value leaves no word');
  assert.deepEqual(show('X=build; rm -rf ./$X'), ['rm -rf ./build']);
  assert.deepEqual(show('X=rm; X=ls; $X'), ['ls'], 'the last surely-run assignment');
});

test('an assignment that may not run, or not in this shell, makes the variable unknown for good', () => {
  for (const text of [
    'X=rm; if c; then X=ls; fi; $X -rf /x',
    'X=rm; c && X=ls; $X -rf /x',
    'X=rm; c || X=ls; $X -rf /x',
    'X=rm; for i in 1; do X=ls; done; $X -rf /x',
    'X=rm; while c; do X=ls; done; $X -rf /x',
    'X=rm; case a in a) X=ls;; esac; $X -rf /x',
    'X=rm; (X=ls); $X -rf /x',
    'X=rm; echo $(X=ls); $X -rf /x',
    'X=rm; X=ls | cat; $X -rf /x',
    'X=rm; X=ls & $X -rf /x',
    'X=rm; read X; $X -rf /x',
    'X=rm; unset X; $X -rf /x',
    'X=rm; printf -v X ls; $X -rf /x',
    'X=rm; for X in ls; do :; done; $X -rf /x',
    'X=rm; eval "X=ls"; $X -rf /x',
    'X=rm; source ./env.sh; $X -rf /x',
    'X=rm; ((X=1)); $X -rf /x',
    'X=rm; declare -n X=Y; $X -rf /x',
    'X=rm; f() { X=ls; }; f; $X -rf /x',
    'X=rm; X+=dir; $X -rf /x',
    'X=$(cat cmd); $X -rf /x',
    'X=rm; X=ls true; $X -rf /x',
  ]) {
    const last = show(text).at(-1)!;
    assert.equal(last, '$X? -rf /x', text);
  }
  assert.deepEqual(show('X=rm $X -rf /x'), ['$X? -rf /x'], 'a prefix assignment is not substituted into the words of its own command');
  assert.deepEqual(show('if c; then X=rm; $X -rf /x; fi').at(-1), '$X? -rf /x', 'inside a branch too: unknown, not the last value');
});

test('IFS changed: a known value is not split (nor used) unquoted', () => {
  assert.deepEqual(show("IFS=,; X='rm -rf'; $X /x"), ['$X? /x']);
});

test('an unquoted variable nothing assigned may vanish; the unwrapper reads both the computed command and the rest', () => {
  assert.deepEqual(show('$EMPTY rm -rf /x'), ['$EMPTY?! rm -rf /x']);
  assert.deepEqual(show('${EMPTY} rm -rf /x'), ['$EMPTY?! rm -rf /x']);
  assert.deepEqual(show('"$EMPTY" rm -rf /x'), ['$EMPTY? rm -rf /x'], 'quoted, it is an empty word: nothing runs');
  assert.deepEqual(show('${PAGER:-less} README.md'), ['$PAGER? README.md'], 'a default value is never empty');
  assert.deepEqual(show('read X; $X rm -rf /x').at(-1), '$X? rm -rf /x', 'assigned at run time: unknown, not empty');
  const runs = new Unwrapper([]).script('$A $B rm -rf /x').map((c) => c.words.map((w) => w.text).join(' '));
  assert.deepEqual(runs, ['$A $B rm -rf /x', '$B rm -rf /x', 'rm -rf /x']);
});
