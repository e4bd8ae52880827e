/**
 * One webhook delivery attempt over HTTP. The message is signed per Standard Webhooks —
 * `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` keyed with the endpoint's
 * secret (`whsec_` + base64) — with node's native HMAC (the `standardwebhooks` library signs
 * in JavaScript, ten times slower; the tests verify every signature with that library), and POSTed as `application/json` through a keep-alive undici
 * Agent with a short timeout. The answer is classified: 2xx delivered; 408, 429, 3xx, 5xx and
 * network errors retry; any other 4xx is permanent (the receiver refuses this message).
 */
import { Agent, request } from 'undici';
import { createHmac } from 'node:crypto';
import type { WebhookEndpoint } from '../../config/webhook-endpoints.js';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5_000;

export interface WebhookMessage {
  /** `webhook-id`: the same on every attempt. */
  id: string;
  /** The exact body; signed and sent as is. */
  payload: string;
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry' | 'permanent'; status?: number; code: string; message: string };

export interface WebhookSender {
  send(endpoint: WebhookEndpoint, message: WebhookMessage, now: Date): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

export interface HttpWebhookSenderOptions {
  timeoutMs?: number;
}

/** Each endpoint secret's key bytes, decoded once (`whsec_` prefix dropped, base64 decoded). */
const keys = new Map<string, Buffer>();

function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
    if (keys.size >= 1024) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/** The Standard Webhooks signature of a message at `now` (whole seconds): `v1,<base64>`. */
export function signature(secret: string, id: string, now: Date, payload: string): string {
  const seconds = Math.floor(now.getTime() / 1000);
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${seconds}.${payload}`).digest('base64')}`;
}

export function signedHeaders(endpoint: WebhookEndpoint, message: WebhookMessage, now: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'warden-webhooks',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signature(endpoint.secret, message.id, now, message.payload),
  };
}

export function classifyStatus(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { kind: 'permanent', status, code: 'WEBHOOK_REJECTED', message: `receiver answered ${status}` };
  }
  return { kind: 'retry', status, code: status >= 500 ? 'WEBHOOK_SERVER_ERROR' : 'WEBHOOK_NOT_ACCEPTED', message: `receiver answered ${status}` };
}

export function createHttpWebhookSender(options: HttpWebhookSenderOptions = {}): WebhookSender {
  const timeout = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const agent = new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 30_000 });
  return {
    async send(endpoint, message, now) {
      try {
        const response = await request(endpoint.url, {
          method: 'POST',
          dispatcher: agent,
          headers: signedHeaders(endpoint, message, now),
          body: message.payload,
          signal: AbortSignal.timeout(timeout),
        });
        await response.body.dump();
        return classifyStatus(response.statusCode);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        return { kind: 'retry', code: 'WEBHOOK_UNREACHABLE', message: typeof code === 'string' ? code : (err as Error).message };
      }
    },
    close: () => agent.close(),
  };
}
