/**
 * `warden verify-log [file]`: checks the kill switch's append-only revocation log (default
 * `<data dir>/revocations.log`): every line parses, seq counts from 1, each record's hash and
 * prev_hash chain. Then it compares the file with the ClickHouse mirror (`revocations` table;
 * where it is read from: verify-log-storage.ts), which catches what the chain alone cannot:
 * records cut off the end of the file, or a file rewritten consistently. `--no-storage` checks
 * the file alone. Exit 0 intact, 1 tampered, 2 cannot check (see EXIT_STATUS).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type WardenConfig } from '../../config/config.js';
import { REVOCATION_LOG_FILE } from '../../respond/kill-switch/revocation-log.js';
import { verifyLogWithMirror, type LogVerdict, type MirrorSkip } from '../../respond/kill-switch/verify-log.js';
import { errorCode } from '../../lib/errors.js';
import { withConnection, type ConnectionOptions } from './api-client.js';
import { formatVerification } from './verify-log-report.js';
import { openMirrorSource, type OpenedMirror } from './verify-log-storage.js';

export const EXIT_STATUS: Readonly<Record<LogVerdict, number>> = { intact: 0, tampered: 1, unchecked: 2 };

interface VerifyLogOptions extends ConnectionOptions {
  /** false with --no-storage. */
  storage: boolean;
}

const HELP = `
Exit status:
  0  intact: the hash chain verifies and the ClickHouse mirror holds nothing the file lacks or
     contradicts (records not mirrored yet are only a warning), or --no-storage was given
  1  tampered: a line breaks the chain, or the mirror holds records that are missing from the
     file (cut off its end, or the file was rewritten) or that differ from it
  2  cannot check: the file cannot be read, the mirror could not be compared (ClickHouse down,
     no revocations table, no embedded data), or the command line is wrong

The mirror is read with Warden's configuration: the ClickHouse server of CLICKHOUSE_URL, or the
embedded engine in <data dir>/clickhouse (through the running Warden's API while Warden runs,
or at --url).

Examples:
  warden verify-log
  warden verify-log --no-storage /backup/${REVOCATION_LOG_FILE}`;

export function registerVerifyLogCommand(program: Command): void {
  withConnection(
    program
      .command('verify-log')
      .description('verify the revocation log: its hash chain, and that the ClickHouse mirror holds no record it lacks; exit 1 when it was tampered with')
      .argument('[file]', `log file (default <data dir>/${REVOCATION_LOG_FILE})`)
      .option('--no-storage', 'check the file alone, without comparing it with the ClickHouse mirror'),
  )
    .addHelpText('after', HELP)
    // A wrong command line is "cannot check" (2), not "tampered" (1).
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_STATUS.unchecked))
    .action(async (file: string | undefined, options: VerifyLogOptions) => {
      const loaded = file === undefined || options.storage ? configOrProblem() : undefined;
      if (file === undefined && !('dataDir' in loaded!)) {
        process.stderr.write(`warden verify-log: ${loaded!.code}: ${loaded!.reason}\n`);
        process.exitCode = EXIT_STATUS.unchecked;
        return;
      }
      const target = file ?? path.join((loaded as WardenConfig).dataDir, REVOCATION_LOG_FILE);
      const opened = await openMirror(options, loaded);
      try {
        const verification = await verifyLogWithMirror(target, opened.mirror);
        const lines = formatVerification(target, verification, badLine(target, verification.chain.result.firstBadLine));
        process.stdout.write(`${lines.join('\n')}\n`);
        process.exitCode = EXIT_STATUS[verification.verdict];
      } catch (err) {
        process.stderr.write(`warden verify-log: ${errorCode(err)}: ${(err as Error).message}\n`);
        process.exitCode = EXIT_STATUS.unchecked;
      } finally {
        await opened.close().catch(() => undefined);
      }
    });
}

function configOrProblem(): WardenConfig | MirrorSkip {
  try {
    return loadConfig();
  } catch (err) {
    return { code: errorCode(err), reason: (err as Error).message.split('\n').join(' '), requested: false };
  }
}

/** The mirror to compare with: none with --no-storage, or from the configuration (or why not). */
async function openMirror(options: VerifyLogOptions, loaded: WardenConfig | MirrorSkip | undefined): Promise<OpenedMirror> {
  const close = async (): Promise<void> => {};
  if (!options.storage || loaded === undefined) return { mirror: { code: 'SKIPPED', reason: '--no-storage', requested: true }, close };
  return 'dataDir' in loaded ? openMirrorSource(loaded, options) : { mirror: loaded, close };
}

function badLine(file: string, lineNumber: number | undefined): string | undefined {
  if (lineNumber === undefined || !fs.existsSync(file)) return undefined;
  return fs.readFileSync(file, 'utf8').split('\n')[lineNumber - 1];
}
