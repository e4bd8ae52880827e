/**
 * Redaction throughput on typical agent tool-call strings: mostly ordinary commands, file paths
 * and JSON arguments, about one in ten carrying a secret. `benchRedact()` returns strings per
 * second on one core; run this file directly to print clean / secret-bearing / mixed figures.
 * Not a test: timings depend on the machine.
 */
import { pathToFileURL } from 'node:url';
import { createRedactor } from './redactor.js';
import type { Redactor } from './redaction.js';

const FAKE_KEY = 'AKIA' + 'WARDENTESTFAKE01';
const FAKE_PAT = 'ghp_' + 'WardenFake' + 'abcdefghijklmnopqrstuvwxyz';

export const CLEAN_STRINGS: readonly string[] = [
  'git status',
  'git reset --hard 3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a',
  'rm -rf node_modules && npm ci',
  'kubectl get pods -n staging -o wide',
  'kubectl delete deployment api-server -n prod',
  'terraform plan -out=tfplan -var-file=envs/staging.tfvars',
  'ls -la /home/dev/project/src',
  'cat /home/dev/project/package.json',
  '{"command":"npm test -- --watch=false","description":"Run the unit tests","timeout":120000}',
  '{"file_path":"/home/dev/project/src/index.ts","old_string":"const x = 1;","new_string":"const x = 2;"}',
  'docker build -t registry.example.com/team/api:1.4.2 .',
  'psql -h db.internal -U app -c "select count(*) from orders"',
  'aws s3 ls s3://warden-fake-bucket/logs/ --recursive',
  'curl -sS https://api.example.com/v1/health',
  'python -m pytest tests/ -k "not slow" -q',
  'grep -rn "TODO" src/ | head -50',
  'find . -name "*.ts" -not -path "./node_modules/*" | xargs wc -l',
  'git log --oneline -20',
];

export const SECRET_STRINGS: readonly string[] = [
  `export AWS_ACCESS_KEY_ID=${FAKE_KEY}`,
  `GITHUB_TOKEN=${FAKE_PAT} gh pr create --fill`,
  'PGPASSWORD=hunter2 psql -h db.internal -U app',
  'curl -H "Authorization: Bearer WardenFake0123456789abcdefXYZ" https://api.example.com/v1/me',
];

function throughput(redactor: Redactor, strings: readonly string[], durationMs: number): number {
  let n = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (const s of strings) sink += redactor.redact(s).count;
    n += strings.length;
    elapsed = performance.now() - start;
  }
  if (sink < 0) throw new Error('unreachable'); // keeps the results alive
  return Math.round((n / elapsed) * 1000);
}

/** Mixed corpus (≈10% with secrets), strings redacted per second. */
export function benchRedact(durationMs = 1000): number {
  const redactor = createRedactor();
  const mixed = [...CLEAN_STRINGS, ...CLEAN_STRINGS, ...CLEAN_STRINGS, ...SECRET_STRINGS, SECRET_STRINGS[0] ?? ''];
  throughput(redactor, mixed, Math.min(200, durationMs)); // warm-up
  return throughput(redactor, mixed, durationMs);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const redactor = createRedactor();
  throughput(redactor, [...CLEAN_STRINGS, ...SECRET_STRINGS], 300);
  console.log(`clean:  ${throughput(redactor, CLEAN_STRINGS, 1000).toLocaleString()} strings/s`);
  console.log(`secret: ${throughput(redactor, SECRET_STRINGS, 1000).toLocaleString()} strings/s`);
  console.log(`mixed:  ${benchRedact().toLocaleString()} strings/s`);
}
