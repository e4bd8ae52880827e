/**
 * RevocationLog: the append-only, hash-chained record of every revocation and reinstatement
 * (one JSON RevocationRecord per line, see record-chain.ts). Opening reads and verifies the
 * existing file and continues the chain from its last hash; a tampered file stops the start
 * (REVOCATION_LOG_CORRUPT) rather than being extended. A last line cut short by a crash is
 * repaired (it was never acknowledged). Appends are serialized and fsync'd before they resolve;
 * each appended record is then handed to the mirror (ClickHouse), which never blocks the append.
 */
import { readFile, truncate } from 'node:fs/promises';
import { PermanentError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { AppendFile } from './append-file.js';
import type { RevocationRecord } from './contracts.js';
import { GENESIS_HASH, sealRecord, serializeRecord, verifyChain, type RevocationEntry } from './record-chain.js';

export const REVOCATION_LOG_FILE = 'revocations.log';

/** Where appended records are copied (the ClickHouse mirror); must not block or throw. */
export interface RecordMirror {
  add(record: RevocationRecord): void;
  /** Called once at open with every record already in the file, so gaps can be filled. */
  backfill?(records: readonly RevocationRecord[]): void;
}

export interface RevocationLogOptions {
  file: string;
  logger: Logger;
  mirror?: RecordMirror;
}

export class RevocationLog {
  /** The records that were in the file when it was opened, in order. */
  readonly loaded: readonly RevocationRecord[];
  private seq: number;
  private lastHash: string;
  private failure: unknown;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly out: AppendFile,
    loaded: RevocationRecord[],
    private readonly options: RevocationLogOptions,
  ) {
    this.loaded = loaded;
    const last = loaded[loaded.length - 1];
    this.seq = last?.seq ?? 0;
    this.lastHash = last?.hash ?? GENESIS_HASH;
  }

  static async open(options: RevocationLogOptions): Promise<RevocationLog> {
    const logger = options.logger.child({ component: 'revocation-log' });
    const records = await readVerified(options.file, logger);
    const log = new RevocationLog(await AppendFile.open(options.file), records, options);
    logger.info({ records: records.length }, 'revocation log opened');
    options.mirror?.backfill?.(records);
    return log;
  }

  get file(): string {
    return this.options.file;
  }

  /** Appends one record, durably; resolves with the sealed record (seq and hashes assigned). */
  append(entry: RevocationEntry): Promise<RevocationRecord> {
    try {
      return this.seal(entry).durable;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Seals a record at once, in call order (seq and hashes assigned), and hands its line to the
   * file, which writes the lines of concurrent appends together with one fsync. `durable`
   * resolves when the line is on disk. Throws when an earlier append failed.
   */
  seal(entry: RevocationEntry): { record: RevocationRecord; durable: Promise<RevocationRecord> } {
    if (this.failure !== undefined) {
      throw new PermanentError('REVOCATION_LOG_FAILED', 'an earlier append failed; reopen the revocation log to repair it', { cause: this.failure });
    }
    const record = sealRecord(entry, this.seq + 1, this.lastHash);
    this.seq = record.seq;
    this.lastHash = record.hash;
    const durable = this.out.append(`${serializeRecord(record)}\n`, { sync: true }).then(
      () => {
        this.options.mirror?.add(record);
        return record;
      },
      (err: unknown) => {
        // The line may be half written: refuse further appends until a reopen repairs the tail.
        this.failure = err;
        throw new PermanentError('REVOCATION_LOG_FAILED', `revocation log append failed: ${(err as Error).message}`, { cause: err });
      },
    );
    this.tail = durable.catch(() => undefined);
    return { record, durable };
  }

  async close(): Promise<void> {
    await this.tail;
    await this.out.close();
  }
}

async function readVerified(file: string, logger: Logger): Promise<RevocationRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const reading = verifyChain(text);
  if (reading.result.ok) return reading.records;
  const lineCount = text.split('\n').length;
  if (reading.tornTail && reading.result.firstBadLine === lineCount) {
    const keep = text.slice(0, text.lastIndexOf('\n') + 1);
    await truncate(file, Buffer.byteLength(keep));
    const kept = verifyChain(keep).records;
    logger.warn({ line: lineCount }, 'revocation log: dropped an incomplete last line (a write cut short by a crash)');
    return kept;
  }
  throw new PermanentError('REVOCATION_LOG_CORRUPT', `revocation log fails verification at line ${reading.result.firstBadLine}: ${reading.result.problem}`, {
    details: { firstBadLine: reading.result.firstBadLine, problem: reading.result.problem },
  });
}
