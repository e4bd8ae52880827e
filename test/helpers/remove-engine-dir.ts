/**
 * Removes a data directory that an in-process Warden's embedded engine used. The engine lives as
 * long as the test process and may go on writing there for seconds after Warden closed (a merge
 * finishing, outdated parts being cleared), so a removal can meet a directory that filled again
 * (ENOTEMPTY). It is retried for ~15 s; a directory still busy then is left behind under the
 * system's temporary folder, with a line on stderr that says so — a test's result does not
 * hang on the engine's housekeeping.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export async function removeEngineDir(dir: string): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      return;
    } catch (err) {
      last = err;
      await sleep(2_000);
    }
  }
  process.stderr.write(`!!! left ${dir} behind: the embedded engine was still writing there (${(last as NodeJS.ErrnoException).code ?? String(last)})\n`);
}
