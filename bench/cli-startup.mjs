// Start-up time of the `warden` command, process start to exit: `warden --help`, `warden
// sessions` against no Warden (time to its UNREACHABLE error) and `warden hook claude-code` with
// an empty stdin (time to its answer, Warden unreachable), each run through the compiled build
// (bin/warden.mjs → dist/, `npm run build` first) and from the TypeScript sources through tsx (as
// the tests run them), beside `node -e 0`. Runs are interleaved; prints each run's wall time, the
// median, and the median CPU time (user + system, through /usr/bin/time when present: less
// swayed than wall time by whatever else the machine runs). Prints figures; asserts nothing.
//
//   node bench/cli-startup.mjs [runs]        (default 3)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.argv[2] ?? 3);
if (!existsSync(new URL('../dist/serve/cli/main.js', import.meta.url))) {
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
  tsx: ['--import', 'tsx', 'serve/cli/main.ts'],
};
const COMMANDS = {
  '--help': ['--help'],
  sessions: ['sessions'],
  'hook claude-code': ['hook', 'claude-code'],
};

const TIME = '/usr/bin/time';
const scratch = mkdtempSync(path.join(tmpdir(), 'cli-startup-'));
const cpuFile = path.join(scratch, 'cpu');

/** Wall time in ms and, with /usr/bin/time, CPU time in ms (its own start-up is counted in neither: it times its child). */
function timed(args) {
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = existsSync(TIME) ? [TIME, ['-o', cpuFile, '-f', '%U %S', process.execPath, ...args]] : [process.execPath, args];
    const started = performance.now();
    const child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', () => {
      const wall = performance.now() - started;
      const cpu = existsSync(TIME) ? readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1).split(' ').reduce((a, b) => a + Number(b) * 1000, 0) : NaN;
      resolve({ wall, cpu });
    });
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
rmSync(scratch, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, runs] of times) {
  const s = (ms) => (ms / 1000).toFixed(2);
  const wall = runs.map((r) => r.wall);
  process.stdout.write(
    `${name.padEnd(36)} wall median ${s(median(wall))} s (runs ${wall.map(s).join(', ')}; min ${s(Math.min(...wall))}, max ${s(Math.max(...wall))})   cpu median ${s(median(runs.map((r) => r.cpu)))} s\n`,
  );
}
