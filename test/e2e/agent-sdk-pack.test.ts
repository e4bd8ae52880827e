/**
 * The harness package as a user receives it: `harness/agent-sdk` compiled with its own tsconfig
 * (declarations included), packed with `npm pack`, installed from the tarball into an empty
 * project with `npm install --offline` (the package has no dependencies to fetch; its
 * OpenTelemetry and kafkajs peers are optional), then imported by name from plain Node. The
 * installed build is exercised without a Warden: a gate call to an address nothing listens on is
 * answered by the fail mode. When npm cannot run here the test is skipped, saying why.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../../harness/agent-sdk/', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function npm(args: string[], cwd: string): { ok: boolean; out: string } {
  const run = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  return { ok: run.status === 0, out: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}` };
}

test('npm pack of the harness package installs offline into an empty project and imports by name', async (t) => {
  const version = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    t.skip(`npm cannot run here: ${version.error ?? version.stderr}`);
    console.log('# SKIPPED: npm is not available, the package was not packed');
    return;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'warden-harness-pack-'));
  try {
    // The package as `npm pack` sees it, with dist/ built by its own tsconfig (outside the checkout).
    const staging = path.join(work, 'package');
    cpSync(path.join(PACKAGE_DIR, 'package.json'), path.join(staging, 'package.json'));
    cpSync(path.join(PACKAGE_DIR, 'README.md'), path.join(staging, 'README.md'));
    execFileSync(process.execPath, [tsc, '-p', path.join(PACKAGE_DIR, 'tsconfig.json'), '--outDir', path.join(staging, 'dist')], { stdio: 'pipe' });

    const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], staging);
    assert.ok(packed.ok, `npm pack failed: ${packed.out}`);
    const [info] = JSON.parse(packed.out.slice(packed.out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info!.files.map((f) => f.path).sort();
    assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('README.md'), files.join(', '));
    assert.deepEqual(files.filter((f) => !f.startsWith('dist/') && !['README.md', 'package.json'].includes(f)), [], 'only dist/, README and package.json are packed');
    const tarball = path.join(work, info!.filename);

    const project = path.join(work, 'agent');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'some-agent', version: '1.0.0', private: true, type: 'module' }));
    const installed = npm(['install', '--offline', '--no-audit', '--no-fund', tarball], project);
    if (!installed.ok) {
      t.skip(`npm install --offline failed here: ${installed.out.slice(0, 400)}`);
      console.log(`# SKIPPED: the tarball was packed but npm could not install it offline: ${installed.out.slice(0, 400)}`);
      return;
    }
    assert.deepEqual(readdirSync(path.join(project, 'node_modules')).filter((d) => !d.startsWith('.')), ['@warden'], 'nothing but the package is installed');

    const script = `
      import { createWarden, WardenSpanExporter, WardenLogRecordExporter, RevocationWatcher, WardenError, httpSink, kafkaSink } from '@warden/harness';
      for (const f of [createWarden, WardenSpanExporter, WardenLogRecordExporter, RevocationWatcher, WardenError, httpSink, kafkaSink]) if (typeof f !== 'function') throw new Error('missing export');
      const warden = createWarden({ url: 'http://127.0.0.1:9', session: { agent: 'packed' }, gateTimeoutMs: 500 });
      const answer = await warden.gate({ tool: 'shell', command: 'ls' });
      await warden.close();
      console.log(JSON.stringify({ decision: answer.decision, detector: answer.detector, code: answer.error?.code }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').at(-1)!), { decision: 'deny', detector: 'fail_mode', code: 'WARDEN_UNREACHABLE' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
