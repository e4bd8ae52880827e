/**
 * The normalize worker as the pipeline runs it: normalization and, on the same thread, the
 * storage rows of the events (prepare-thread.ts). `PIPELINE_WORKER_ENTRY` is given to
 * WorkerNormalizer as its entry.
 */
export const PIPELINE_WORKER_ENTRY = new URL('./entry.mjs', import.meta.url);
