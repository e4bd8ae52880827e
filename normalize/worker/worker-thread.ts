/**
 * The normalize worker's thread: decodes and normalizes the messages it is sent and answers
 * with their events (serve-requests.ts). The pipeline's worker (pipeline/worker/) also prepares
 * storage rows on the same thread.
 */
import { serveNormalizeRequests } from './serve-requests.js';

serveNormalizeRequests();
