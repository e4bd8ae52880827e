#!/usr/bin/env node
// `npm run build`: compiles the TypeScript that ships (tsconfig.build.json: the CLI, the service
// and the normalize worker, nothing else) into dist/ with the source tree's layout, then copies
// beside the compiled modules every file they read through `new URL('<relative>', import.meta.url)`
// (YAML rules and mappings, .sql migrations, otlp.proto, the worker's entry.mjs, the incident
// set), so dist/ runs on its own with the production dependencies.
//
//   node scripts/build.mjs [--out-dir <dir>]     (default dist; relative to the package root)
//
// Incremental: a second build with unchanged sources only re-checks. Exit 0 built, 1 compile
// errors, 2 a module refers to a file the build cannot find or name.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outIndex = process.argv.indexOf('--out-dir');
const outDir = path.resolve(root, outIndex > 0 ? process.argv[outIndex + 1] ?? '' : 'dist');

/** `new URL('<literal>', import.meta.url)`: group 2 is the relative path. */
const LITERAL_URL = /new URL\(\s*(['"`])([^'"`$]+)\1\s*,\s*import\.meta\.url\s*\)/g;
/** Any `new URL(<something>, import.meta.url)`, to catch those whose path is not a literal. */
const ANY_URL = /new URL\(([^()]*?),\s*import\.meta\.url\s*\)/g;

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(
  process.execPath,
  [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', outDir, '--tsBuildInfoFile', path.join(outDir, '.tsbuildinfo')],
  { stdio: 'inherit' },
);
if (compiled.status !== 0) process.exit(1);

function* modulesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* modulesUnder(full);
    else if (entry.name.endsWith('.js') || entry.name.endsWith('.mjs')) yield full;
  }
}

const problems = [];
const copied = new Set();
// Copied files are scanned in turn (entry.mjs names the compiled worker-thread.js).
const queue = [...modulesUnder(outDir)];
while (queue.length > 0) {
  const module = queue.shift();
  const text = readFileSync(module, 'utf8');
  const where = path.relative(outDir, module);
  for (const [, arg] of text.matchAll(ANY_URL)) {
    if (!/^\s*(['"`])[^'"`$]+\1\s*$/.test(arg)) problems.push(`${where}: new URL(${arg.trim()}, import.meta.url) is not a literal path; the build cannot tell what to copy`);
  }
  for (const [, , relative] of text.matchAll(LITERAL_URL)) {
    const target = path.resolve(path.dirname(module), relative);
    const source = path.join(root, path.relative(outDir, target));
    if (copied.has(target)) continue;
    if (!existsSync(source)) {
      if (!existsSync(target)) problems.push(`${where}: ${relative} exists neither in the sources (${path.relative(root, source)}) nor in the build`);
      continue; // a compiled module (e.g. ./worker-thread.js), already in the build
    }
    copied.add(target);
    if (statSync(source).isDirectory()) {
      rmSync(target, { recursive: true, force: true }); // files removed from the sources leave the build too
      cpSync(source, target, { recursive: true, filter: (from) => !from.endsWith('.ts') });
    } else {
      cpSync(source, target);
      if (target.endsWith('.mjs') || target.endsWith('.js')) queue.push(target);
    }
  }
}
if (problems.length > 0) {
  process.stderr.write(`build: ${problems.length} problem(s) with files the code reads:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(2);
}
process.stdout.write(`build: compiled into ${path.relative(root, outDir) || '.'}/, ${copied.size} file(s) or folder(s) the code reads copied beside it\n`);
