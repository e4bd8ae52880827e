/**
 * The README's table of connected agents claims nothing no test shows: every ✓ cell carries an
 * id, every id is listed under the table with a test file and a test's title, and that file
 * exists in the repository and holds a test of that title (a title naming a recorded payload —
 * `<agent>/<file>.json` — names a recorded file that exists too). Each listed id is used in the
 * table, so the list cannot drift from it either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function section(): string {
  const start = README.indexOf('\n## Agents connected\n');
  assert.ok(start >= 0, 'README has no "Agents connected" section');
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

test('every ✓ in the README\'s agent table names a test that exists', () => {
  const text = section();
  const rows = text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| agent') && !l.startsWith('|---'));
  assert.ok(rows.length >= 7, 'the table has a row per agent');
  const claimed = new Map<string, string>();
  for (const row of rows) {
    const [agent, ...cells] = row.split('|').slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 4, `${agent}: four columns`);
    for (const cell of cells) {
      assert.match(cell, /^(✓ [a-z]\d+|✗|—)$/, `${agent}: a cell is "✓ <id>", ✗ or —, not ${JSON.stringify(cell)}`);
      if (cell.startsWith('✓')) {
        const id = cell.slice(2);
        assert.ok(!claimed.has(id), `${id} is used twice`);
        claimed.set(id, agent!);
      }
    }
  }
  const evidence = new Map<string, { file: string; title: string }>();
  for (const m of text.matchAll(/^- ((?:[a-z]\d+(?:, )?)+) `([^`]+)` › "([^"]+)"/gm)) {
    for (const id of m[1]!.split(', ')) {
      assert.ok(!evidence.has(id), `${id} is listed twice`);
      evidence.set(id, { file: m[2]!, title: m[3]! });
    }
  }
  for (const [id, agent] of claimed) assert.ok(evidence.has(id), `${agent}: ✓ ${id} names no test under the table`);
  for (const id of evidence.keys()) assert.ok(claimed.has(id), `${id} is listed but no cell claims it`);

  for (const [id, { file, title }] of evidence) {
    assert.match(file, /\.test\.ts$/, `${id}: ${file} is not a test file`);
    const full = path.join(ROOT, file);
    assert.ok(fs.existsSync(full), `${id}: ${file} does not exist`);
    // Titles are written in the source as string literals, quotes escaped.
    const source = fs.readFileSync(full, 'utf8').replaceAll("\\'", "'").replaceAll('\\"', '"');
    assert.ok(source.includes(title), `${id}: ${file} has no test titled ${JSON.stringify(title)}`);
    assert.match(source, /\b(test|it|describe)\(/, `${id}: ${file} declares no tests`);
    const recorded = /^([\w-]+\/[\w.-]+\.json)$/.exec(title);
    if (recorded) assert.ok(fs.existsSync(path.join(ROOT, 'normalize/testdata/agents', recorded[1]!)), `${id}: no recorded payload ${recorded[1]}`);
  }
});
