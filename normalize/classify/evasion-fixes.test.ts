/**
 * The classifier's reading of shapes found on dcg's corpus and in the evasion study, each with
 * look-alikes that must stay silent: `$TMPDIR` (known unless the text, or whoever ran it,
 * assigned it), report-only flags (`command -v`, `--help`, `--version`), the literal star of
 * `git checkout`/`restore`, `git restore --staged`, interpreter one-liners (spawned shell text,
 * argv lists, native deletes; code that only prints stays silent), decoders piped into shells,
 * process substitutions read as scripts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClassifier } from './index.js';

const classifier = createClassifier();
const classify = (command: string) => classifier.classify({ tool: 'Bash', command, arguments: {}, cwd: '/home/dev/repo', environment: '' });

/** [command, destructive, a rule that must match (or '' for none expected)] */
const CASES: Array<[string, boolean, string]> = [
  // $TMPDIR is the temp folder unless assigned first
  ['rm -rf $TMPDIR/build', false, 'rm_recursive_regenerable'],
  ['rm -rf "${TMPDIR}/build"', false, 'rm_recursive_regenerable'],
  ['rm -rf ${TMPDIR:-/tmp}/build', false, 'rm_recursive_regenerable'],
  ['rm -rf ${TMPDIR:-/home}/x', true, 'rm_unknown_target'],
  ['TMPDIR=/ rm -rf $TMPDIR/x', true, 'rm_unknown_target'],
  // assigned a literal before, it is that literal; assigned in a branch, it is unknown
  ['export TMPDIR=/home; rm -rf $TMPDIR/x', true, 'rm_recursive_wide'],
  ['[ -d /home ] && export TMPDIR=/home; rm -rf $TMPDIR/x', true, 'rm_unknown_target'],
  ['env TMPDIR=/ sh -c "rm -rf \\$TMPDIR/x"', true, 'rm_unknown_target'],
  ['TMPDIR=/ bash -c "rm -rf \\$TMPDIR/x"', true, 'rm_unknown_target'],
  // report-only flags run nothing
  ['command -v rm', false, ''],
  ['command -V rm', false, ''],
  ['command rm -rf /srv', true, 'rm_recursive_wide'],
  ['rm --help', false, ''],
  ['rm --version', false, ''],
  ['git push --force --help', false, ''],
  ['rm -rf -- --help', true, 'rm_recursive'],
  // git checkout/restore: a literal star, not every word; --staged only touches the index
  ['git checkout main', false, ''],
  ['git checkout .', true, 'git_discard_changes'],
  ["git checkout -- '*'", true, 'git_discard_changes'],
  ['git restore --staged file.txt', false, ''],
  ['git restore --staged .', false, ''],
  ['git restore --staged --worktree .', true, 'git_discard_changes'],
  // interpreter one-liners
  ["python3 -c \"import shutil; shutil.rmtree('/home/user')\"", true, 'rm_recursive_wide'],
  ["python3 -c \"import os; os.remove('/etc/passwd')\"", true, 'rm_sensitive_files'],
  ["python -c 'import subprocess; subprocess.run([\"git\", \"push\", \"--force\", \"origin\", \"main\"])'", true, 'git_force_push_protected'],
  ["node -e \"require('child_process').execSync('rm -rf /')\"", true, 'rm_recursive_wide'],
  ["node -e \"require('fs').rmSync('/srv/data', {recursive: true})\"", true, 'rm_recursive'],
  ["node -e \"require('fs').rmSync(process.argv[1])\"", true, 'rm_unknown_target'],
  ["node -e \"const fs = require('node:fs'); fs.unlinkSync('/etc/hosts')\"", true, 'rm_sensitive_files'],
  ["ruby -e \"require 'fileutils'; FileUtils.rm_rf('/home/user')\"", true, 'rm_recursive_wide'],
  ["perl -e \"system('rm -rf /home/user')\"", true, 'rm_recursive_wide'],
  ["perl -e 'unlink \"/etc/hosts\"'", true, 'rm_sensitive_files'],
  ["php -r \"system('git reset --hard');\"", true, 'git_reset_hard'],
  ["python3 - <<'EOF'\nimport shutil\nshutil.rmtree('/srv/data')\nEOF", true, 'rm_recursive'],
  ["python3 -c 'import os; d = \"/srv\"; os.system(f\"rm -rf {d}\")'", true, 'rm_unknown_target'],
  ["node -e 'require(\"child_process\").execSync(`git push --force origin ${branch}`)'", true, 'git_force_push'],
  ["python3 -c 'import os; os.system(f\"echo {x}\")'", false, ''],
  ["python3 -c \"print('rm -rf /')\"", false, ''],
  ["node -e \"console.log('git push --force')\"", false, ''],
  ["python3 -c 'import os; print(os.getcwd())'", false, ''],
  ["perl -ne 'print if /rm -rf/' log.txt", false, ''],
  ["perl -pi -e 's/foo/bar/' notes.txt", false, ''],
  ['python3 script.py --delete', false, ''],
  // literal text decoded or printed into a shell
  ['echo cm0gLXJmIC9zcnYvZGF0YQ== | base64 -d | sh', true, 'rm_recursive'],
  ['echo cm0gLXJmIC9zcnYvZGF0YQ== | base64 -d', false, ''],
  ["eval \"$(echo 'git reset --hard')\"", true, 'git_reset_hard'],
  ["echo \"$(echo 'git reset --hard')\"", false, ''],
  ["printf 'rm -rf %s\\n' /srv/data | sh", true, 'rm_recursive'],
  // a process substitution with fixed output read as a script; read as data it stays data
  ["bash <(echo 'rm -rf /srv/data')", true, 'rm_recursive'],
  ["source <(echo 'git reset --hard')", true, 'git_reset_hard'],
  ["cat <(echo 'rm -rf /')", false, ''],
  ["diff <(echo a) <(echo 'git push --force')", false, ''],
  ['source ~/.bashrc', false, ''],
  // wrappers that run a command or shell text
  ['setsid rm -rf /srv/data', true, 'rm_recursive'],
  ['flock /tmp/lock -c "git clean -fdx"', true, 'git_clean_force'],
  ["flock /tmp/lock psql -c 'DROP TABLE users'", true, 'sql_drop_table'],
  ["su - root -c 'rm -rf /srv/data'", true, 'rm_recursive'],
  ["env -S 'git reset --hard'", true, 'git_reset_hard'],
  ['chroot /mnt rm -rf /srv/data', true, 'rm_recursive'],
];

describe('shapes from the external corpus and the evasion study', () => {
  for (const [command, destructive, rule] of CASES) {
    it(`${JSON.stringify(command)} → ${destructive ? 'destructive' : 'not destructive'}${rule ? ` (${rule})` : ''}`, () => {
      const r = classify(command);
      const rules = r.matches.map((m) => m.rule_id);
      assert.equal(r.destructive, destructive, `rules=[${rules.join(',')}] class=${r.action_class}`);
      if (rule) assert.ok(rules.includes(rule), `want ${rule}, got [${rules.join(',')}]`);
    });
  }
});
