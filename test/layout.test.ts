/**
 * The house in the order of the flow. README.md's "Layout" section lists the top-level folders
 * one per line in the order data flows through them; this test holds the code to that picture:
 * every folder of the repository is listed and every listed folder exists, no shipped file
 * imports from `test/`, and no stage imports a later one (a stage takes what it needs from later
 * stages as collaborators passed in by the assembly). Tests, benchmarks and scripts stand outside
 * the order and may import any stage.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The folders (and `main.ts`) in the order the README's layout block lists them. */
function layoutOrder(): string[] {
  const section = /^## Layout\n([\s\S]*?)^## /m.exec(README);
  assert.ok(section, 'README.md has a "## Layout" section');
  const block = /```\n([\s\S]*?)```/.exec(section[1]!);
  assert.ok(block, 'the Layout section holds the tree in a fenced block');
  return block[1]!.split('\n').map((line) => /^(\S+?)\/?\s{2,}\S/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
}

/** Files git knows, plus new ones not ignored: what a clean clone has. */
function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f !== '');
}

const topOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);
/** Folders outside the flow: they may import any stage and no stage imports them. */
const OUTSIDE = new Set(['test', 'bench', 'scripts', 'bin']);
const isTestFile = (file: string): boolean => /\.(test|suite)\.ts$/.test(file) || topOf(file) === 'test';
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function relativeImports(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  return [...source.matchAll(IMPORT)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)));
}

test('the README lists every top-level folder in flow order, and only folders that exist', () => {
  const listed = layoutOrder();
  const present = new Set(trackedFiles().filter((f) => f.includes('/') && !f.startsWith('.')).map(topOf));
  present.add('main.ts');
  assert.deepEqual([...present].filter((d) => !listed.includes(d)).sort(), [], 'folders missing from the README layout');
  assert.deepEqual(listed.filter((d) => !present.has(d)), [], 'folders the README lists that do not exist');
});

test('no shipped file imports from test/', () => {
  const offenders = trackedFiles()
    .filter((f) => /\.(ts|mts|mjs)$/.test(f) && !isTestFile(f) && !OUTSIDE.has(topOf(f)))
    .flatMap((f) => relativeImports(f).filter((t) => topOf(t) === 'test').map((t) => `${f} → ${t}`));
  assert.deepEqual(offenders, []);
});

/** Imports that go from a stage to a later one (`order`: stages, earliest first). */
export function backEdges(files: readonly string[], importsOf: (file: string) => string[], order: readonly string[]): string[] {
  const rank = (file: string): number => order.indexOf(topOf(file));
  return files
    .filter((f) => rank(f) >= 0)
    .flatMap((f) => importsOf(f).filter((t) => rank(t) > rank(f)).map((t) => `${f} → ${t}`));
}

/**
 * Back-edges that remain from before the layout, each to be removed by passing the collaborator
 * in. The list only shrinks: a new back-edge fails, and so does an entry that no longer exists.
 */
const REMAINING_BACK_EDGES: readonly string[] = [];

test('no stage imports a later stage', () => {
  const order = layoutOrder().filter((d) => !OUTSIDE.has(d));
  const shipped = trackedFiles().filter((f) => /\.(ts|mts|mjs)$/.test(f) && !isTestFile(f));
  const found = backEdges(shipped, relativeImports, order);
  assert.deepEqual(found.filter((e) => !REMAINING_BACK_EDGES.includes(e)), [], 'imports of a later stage');
  assert.deepEqual(REMAINING_BACK_EDGES.filter((e) => !found.includes(e)), [], 'back-edges gone: remove them from the list');
});

test('the order check: an import of a later stage is reported, of an earlier one or the same is not', () => {
  const order = ['lib', 'detect', 'serve'];
  const imports: Record<string, string[]> = {
    'detect/a.ts': ['serve/api/x.js', 'lib/clock.js', 'detect/b.js'],
    'serve/c.ts': ['detect/a.js'],
    'lib/d.ts': ['test/helpers/e.js'],
  };
  assert.deepEqual(backEdges(Object.keys(imports), (f) => imports[f] ?? [], order), ['detect/a.ts → serve/api/x.js']);
});
