// Start-up time of the `warden` command, process start to exit: `warden --help`, `warden
// sessions` against no Warden (time to its UNREACHABLE error) and `warden hook claude-code` with
// an empty stdin (time to its answer, Warden unreachable), each run through the compiled build
// (bin/warden.mjs → dist/, `npm run build` first) and from the TypeScript sources through tsx (as
// the tests run them), beside `node -e 0`. Runs are interleaved; prints each run and the median.
// Prints figures; asserts nothing.
//
//   node bench/cli-startup.mjs [runs]        (default 3)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.argv[2] ?? 3);
if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  process.stderr.write('no compiled build: run `npm run build` first\n');
  process.exit(2);
}

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
await new Promise((resolve) => server.close(resolve));
const env = { PATH: process.env.PATH ?? '', WARDEN_URL: `http://127.0.0.1:${port}`, WARDEN_TOKEN: 'bench', WARDEN_DATA_DIR: `${ROOT}.tmp/bench-none` };

const WAYS = {
  compiled: ['bin/warden.mjs'],
  tsx: ['--import', 'tsx', 'cli/main.ts'],
};
const COMMANDS = {
  '--help': ['--help'],
  sessions: ['sessions'],
  'hook claude-code': ['hook', 'claude-code'],
};

function timed(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
    child.stdin.on('error', () => {}); // node -e 0 never reads its stdin
    child.stdin.end('');
  });
}

const cases = [['node -e 0', ['-e', '0']]];
for (const [command, commandArgs] of Object.entries(COMMANDS)) {
  for (const [way, wayArgs] of Object.entries(WAYS)) cases.push([`warden ${command} (${way})`, [...wayArgs, ...commandArgs]]);
}
const times = new Map(cases.map(([name]) => [name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, args] of cases) times.get(name).push(await timed(args));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, xs] of times) {
  const s = (ms) => (ms / 1000).toFixed(2);
  process.stdout.write(`${name.padEnd(36)} median ${s(median(xs))} s   runs ${xs.map(s).join(', ')} s   (min ${s(Math.min(...xs))}, max ${s(Math.max(...xs))})\n`);
}
