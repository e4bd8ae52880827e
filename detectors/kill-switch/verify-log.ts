/**
 * `verifyLog(file)`: checks a revocation log file end to end (what `warden verify-log` runs):
 * every line parses, seq counts from 1, each prev_hash is the previous line's hash and each hash
 * matches its record. Reports the first line that breaks the chain, in words.
 */
import { readFile } from 'node:fs/promises';
import { verifyChain, type VerifyResult } from './record-chain.js';

export type { VerifyResult } from './record-chain.js';

export async function verifyLog(file: string): Promise<VerifyResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, records: 0, problem: code === 'ENOENT' ? 'log file not found' : `cannot read the log: ${code ?? String(err)}` };
  }
  return verifyChain(text).result;
}
