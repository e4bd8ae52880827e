/**
 * Patch bodies (apply_patch) through the real classifier and rule files: the files a patch
 * touches become targets, `*** Delete File:` is a destructive deletion rated like `rm` of the
 * same paths, adds and updates are file writes — in each shape a patch arrives in (a hook's
 * `tool_input.command`, Codex's JSON `{"input": …}`, the raw text, the historical shell form).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClassifier } from '../create-classifier.js';
import { findPatchBody, parsePatch } from './apply-patch.js';

const classifier = createClassifier();
const CWD = '/home/dev/repo';
// The Codex hook payload's patch (research fixture: codex/hook_pretooluse_apply_patch.stdin.json).
const CODEX_PATCH =
  '*** Begin Patch\n*** Add File: docs/NOTES.md\n+Release notes\n*** Update File: src/app.py\n*** Move to: src/main.py\n' +
  '@@ def greet():\n-print("Hi")\n+print("Hello, world!")\n*** Delete File: config/prod.env\n*** End Patch\n';

function patchOf(lines: string[]): string {
  return ['*** Begin Patch', ...lines, '*** End Patch', ''].join('\n');
}

describe('apply_patch bodies', () => {
  it('a hook payload (tool_input.command = the patch): files as targets, the deletion destructive', () => {
    const c = classifier.classify({ tool: 'apply_patch', command: CODEX_PATCH, arguments: {}, cwd: CWD, environment: '' });
    assert.equal(c.action_class, 'fs.delete');
    assert.equal(c.destructive, true);
    assert.deepEqual(c.matches.map((m) => m.rule_id), ['patch_delete_files']);
    for (const t of ['docs/NOTES.md', 'src/main.py', 'src/app.py', 'config/prod.env']) assert.ok(c.targets.includes(`${CWD}/${t}`), `${t} in ${c.targets.join(', ')}`);
  });

  it("Codex's JSON form ({input: patch}) and the raw text under `input` read the same", () => {
    const json = classifier.classify({ tool: 'apply_patch', command: '', arguments: { input: CODEX_PATCH }, cwd: CWD, environment: '' });
    assert.equal(json.action_class, 'fs.delete');
    assert.ok(json.targets.includes(`${CWD}/config/prod.env`));
  });

  it('the historical shell form (apply_patch with the body as its argument or heredoc)', () => {
    const argv = classifier.classify({ tool: 'shell', command: '', arguments: { command: ['apply_patch', CODEX_PATCH] }, cwd: CWD, environment: '' });
    assert.equal(argv.action_class, 'fs.delete');
    const heredoc = classifier.classify({ tool: 'Bash', command: `apply_patch <<'EOF'\n${CODEX_PATCH}EOF\n`, arguments: {}, cwd: CWD, environment: '' });
    assert.deepEqual(heredoc.targets, argv.targets);
    assert.equal(heredoc.destructive, true);
  });

  it('a patch run by a shell hides nothing else the shell runs', () => {
    const c = classifier.classify({ tool: 'Bash', command: `apply_patch <<'EOF'\n${CODEX_PATCH}EOF\nrm -rf /\n`, arguments: {}, cwd: CWD, environment: '' });
    assert.ok(c.matches.some((m) => m.rule_id === 'rm_recursive_wide'), c.matches.map((m) => m.rule_id).join(', '));
    assert.ok(c.matches.some((m) => m.rule_id === 'patch_delete_files'));
    assert.equal(c.severity, 'critical');
  });

  it('adds and updates only: a file write, not destructive', () => {
    const c = classifier.classify({ tool: 'apply_patch', command: patchOf(['*** Add File: a.txt', '+x', '*** Update File: b.txt', '@@', '-y', '+z']), arguments: {}, cwd: CWD, environment: '' });
    assert.equal(c.action_class, 'fs.write');
    assert.equal(c.destructive, false);
    assert.deepEqual(c.targets, [`${CWD}/a.txt`, `${CWD}/b.txt`]);
  });

  it('writing a credential file through a patch is high, like a file tool', () => {
    const c = classifier.classify({ tool: 'apply_patch', command: patchOf(['*** Add File: .ssh/authorized_keys', '+ssh-ed25519 AAAA']), arguments: {}, cwd: '~', environment: '' });
    assert.equal(c.severity, 'high');
    assert.deepEqual(c.matches.map((m) => m.rule_id), ['patch_write_sensitive']);
  });

  it('deleting many files is rated like a recursive delete; a system file like rm of it; rebuildable output is cleanup', () => {
    const many = classifier.classify({ tool: 'apply_patch', command: patchOf(['a', 'b', 'c', 'd', 'e'].map((f) => `*** Delete File: src/${f}.ts`)), arguments: {}, cwd: CWD, environment: '' });
    assert.equal(many.severity, 'medium');
    assert.ok(many.matches.some((m) => m.rule_id === 'patch_delete_many'));
    const rm = classifier.classify({ tool: 'Bash', command: 'rm /etc/hosts', arguments: {}, cwd: CWD, environment: '' });
    const system = classifier.classify({ tool: 'apply_patch', command: patchOf(['*** Delete File: /etc/hosts']), arguments: {}, cwd: CWD, environment: '' });
    assert.equal(system.severity, rm.severity);
    assert.equal(system.severity, 'high');
    const cleanup = classifier.classify({ tool: 'apply_patch', command: patchOf(['*** Delete File: dist/app.js']), arguments: {}, cwd: CWD, environment: '' });
    assert.equal(cleanup.destructive, false);
    assert.equal(cleanup.action_class, 'fs.delete');
  });

  it('a header-like line inside added content is content, not a header', () => {
    const files = parsePatch(patchOf(['*** Add File: notes.md', '+*** Delete File: important.db', '+done']));
    assert.deepEqual(files, { written: ['notes.md'], deleted: [], movedFrom: [] });
  });

  it('a shell command that only mentions a patch is not read as one', () => {
    assert.equal(findPatchBody(`echo '${PATCH_BEGIN_TEXT}'`, {}), undefined);
    const c = classifier.classify({ tool: 'Bash', command: 'rm -rf /srv/x', arguments: {}, cwd: CWD, environment: '' });
    assert.ok(c.matches.some((m) => m.rule_id.startsWith('rm_')));
  });

  it('a 40 KB patch with 201 files: every file read, the deletions destructive', () => {
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) lines.push(`*** Update File: src/mod${i}.ts`, '@@', '-const before = 1;', `+const after = ${i};`);
    for (let i = 0; i < 50; i++) lines.push(`*** Delete File: src/legacy/old${i}.ts`);
    lines.push('*** Add File: docs/big.md');
    while (lines.join('\n').length < 41_000) lines.push('+a line of documentation text that makes the patch large');
    const body = patchOf(lines);
    assert.ok(body.length >= 40_960, `${body.length} bytes`);
    const c = classifier.classify({ tool: 'apply_patch', command: body, arguments: {}, cwd: CWD, environment: '' });
    assert.equal(c.targets.length, 201);
    assert.equal(c.destructive, true);
    assert.ok(c.matches.some((m) => m.rule_id === 'patch_delete_many'));
  });
});

const PATCH_BEGIN_TEXT = '*** Begin Patch\n*** Delete File: x\n*** End Patch';
