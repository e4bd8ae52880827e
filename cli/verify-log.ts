/**
 * `warden verify-log [file]`: checks the kill switch's append-only revocation log (default
 * `<data dir>/revocations.log`): every line parses, seq counts from 1, each record's hash and
 * prev_hash chain. Exit 0 when intact; exit 1 naming and printing the first bad line otherwise.
 * Reads the file directly — no running Warden needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { REVOCATION_LOG_FILE, verifyLog } from '../detectors/kill-switch/index.js';

export function registerVerifyLogCommand(program: Command): void {
  program
    .command('verify-log')
    .description('verify the hash chain of the revocation log; exit 1 and show the first bad line when it was tampered with')
    .argument('[file]', `log file (default <data dir>/${REVOCATION_LOG_FILE})`)
    .addHelpText('after', `\nExamples:\n  warden verify-log\n  warden verify-log /backup/${REVOCATION_LOG_FILE}`)
    .action(async (file: string | undefined) => {
      const target = file ?? path.join(loadConfig().dataDir, REVOCATION_LOG_FILE);
      const result = await verifyLog(target);
      if (result.ok) {
        process.stdout.write(`ok: ${target}: ${result.records} record(s), hash chain intact\n`);
        return;
      }
      const where = result.firstBadLine !== undefined ? ` at line ${result.firstBadLine}` : '';
      process.stdout.write(`FAILED: ${target}${where}: ${result.problem ?? 'chain broken'} (${result.records} record(s) verified before it)\n`);
      if (result.firstBadLine !== undefined && fs.existsSync(target)) {
        const line = fs.readFileSync(target, 'utf8').split('\n')[result.firstBadLine - 1];
        if (line !== undefined) process.stdout.write(`  ${result.firstBadLine}: ${line.slice(0, 2000)}\n`);
      }
      process.exitCode = 1;
    });
}
