/**
 * How many full collections (mark-compacts) a workload brings, counted in a fresh process of its
 * own so that nothing else of the test run's heap counts. `script` is an ES module body; it may
 * import TypeScript sources (tsx is loaded). It ends with the count written once its work is done.
 */
import assert from 'node:assert/strict';
import { runProcess } from './run-cli.js';

const TSX = import.meta.resolve('tsx');

export async function fullCollectionsOf(script: string): Promise<number> {
  const counted = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    let full = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++; }).observe({ entryTypes: ['gc'] });
    ${script}
    setTimeout(() => process.stdout.write(String(full)), 50);
  `;
  const run = await runProcess(process.execPath, ['--import', TSX, '--input-type=module', '-e', counted]);
  assert.equal(run.code, 0, run.stderr);
  return Number(run.stdout);
}
