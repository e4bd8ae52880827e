/**
 * The request a hook client makes, under the hook's timeout: the hook endpoint
 * (`POST /api/v1/hooks/<agent>`, the agent's JSON as the body, the agent's answer back). Anything
 * but a well-formed 2xx answer — refused connection, timeout, hang-up, 4xx (a bad token), 5xx,
 * 429 — is a failure the caller resolves with its fail mode.
 *
 * Through node:http(s), not fetch: a hook process starts before every tool call, and loading
 * fetch (undici and web streams) cost ~120 ms of CPU of the ~260 a `warden hook` call took.
 */
import http from 'node:http';
import https from 'node:https';
import type { HookConfig } from './hook-config.js';

export class WardenUnavailable extends Error {
  override readonly name = 'WardenUnavailable';
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One POST, its answer read whole, within `timeoutMs` from the start. The deadline is a timer
 * that holds the process open: a request left waiting with nothing else alive would let the hook
 * exit with no answer at all — which an agent reads as "not blocked".
 */
function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => settle(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })));
    });
    const fail = (err: Error): void =>
      settle(() => {
        req.destroy();
        reject(err);
      });
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', fail);
    // Closed before the whole answer came (a hang-up): nothing else would settle the promise.
    req.on('close', () => fail(new Error('the connection closed without a whole answer')));
    req.end(body);
  });
}

/** Posts the hook payload (with the event named on the hook's command line, if any); resolves with the answer to print and the exit code Warden names. */
export async function postHook(config: HookConfig, agent: string, payload: string, event?: string): Promise<{ exitCode: number; body: string }> {
  const path = `/api/v1/hooks/${encodeURIComponent(agent)}${event ? `?event=${encodeURIComponent(event)}` : ''}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  let answer: Answer;
  try {
    answer = await post(new URL(`${config.url}${path}`), headers, payload, config.timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'cannot resolve the host' : (err as Error).message;
    throw new WardenUnavailable(`${config.url} unreachable: ${cause}`);
  }
  if (answer.status < 200 || answer.status > 299) {
    throw new WardenUnavailable(`${config.url}${path.split('?')[0]} answered ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200)}` : ''}`);
  }
  const header = answer.headers['warden-hook-exit'];
  const exitCode = Number(header ?? '0');
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) throw new WardenUnavailable(`bad warden-hook-exit header ${JSON.stringify(header)}`);
  return { exitCode, body: answer.body };
}
