#!/usr/bin/env node
// `npm run build`: compiles the TypeScript that ships (tsconfig.build.json: the CLI, the service
// and the normalize worker, nothing else) into dist/ with the source tree's layout, then copies
// beside the compiled modules every file they read through `new URL('<relative>', import.meta.url)`
// (YAML rules and mappings, .sql migrations, otlp.proto, the worker's entry.mjs, the incident
// set), so dist/ runs on its own with the production dependencies.
//
//   node scripts/build.mjs [--out-dir <dir>] [--force]     (default dist, under the package root)
//
// When no compiled source has changed since the last build (same modification times and sizes,
// same tsconfig files) the compiler is not run again (--force runs it); when some have, tsc
// rebuilds incrementally. The files read are copied every time. Exit 0 built, 1 compile errors,
// 2 a module refers to a file the build cannot find or name.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
const tsBuildInfo = path.join(outDir, '.tsbuildinfo');
/** The compiled sources as last built (path → mtime and size): when none changed, tsc is skipped. */
const inputsFile = path.join(outDir, '.build-inputs.json');
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'].map((f) => path.join(root, f));

function stamp(file) {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

function unchanged() {
  if (process.argv.includes('--force') || !existsSync(path.join(outDir, 'serve/cli/main.js'))) return false;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
  } catch {
    return false;
  }
  return Object.entries(inputs).every(([file, was]) => stamp(file) === was);
}

const upToDate = unchanged();
if (!upToDate) {
  rmSync(inputsFile, { force: true });
  const started = Date.now();
  // --listFiles: every file of the program, to know next time whether any changed.
  const compiled = spawnSync(process.execPath, [tsc, '-p', CONFIGS[1], '--outDir', outDir, '--tsBuildInfoFile', tsBuildInfo, '--listFiles'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = (compiled.stdout ?? '').split('\n').filter((l) => l !== '');
  const listed = lines.filter((l) => path.isAbsolute(l) && existsSync(l));
  const diagnostics = lines.filter((l) => !listed.includes(l));
  if (diagnostics.length > 0) process.stdout.write(`${diagnostics.join('\n')}\n`);
  if (compiled.status !== 0) process.exit(1);
  const sources = listed.filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`));
  // A file written while tsc ran may have been compiled as it was before: it counts as changed.
  const settled = (f) => (statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < started - 1000;
  writeFileSync(inputsFile, JSON.stringify(Object.fromEntries([...CONFIGS, ...sources].map((f) => [f, settled(f) ? stamp(f) : 'written during the build']))));
}

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
process.stdout.write(`build: ${upToDate ? 'sources unchanged since the last build of' : 'compiled into'} ${path.relative(root, outDir) || '.'}/, ${copied.size} file(s) or folder(s) the code reads copied beside it\n`);
