/**
 * A kill-switch webhook receiver for the incident replays: a real HTTP server on 127.0.0.1 (an
 * ephemeral port) that verifies every request with the `standardwebhooks` library — what a
 * credential broker holding the agent's keys would run — and keeps the verified
 * `session.revoked` deliveries by session id. Deliveries are at-least-once, so it de-duplicates
 * by `webhook-id`; requests that fail verification are counted and answered 400.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface RevokedWebhook {
  webhookId: string;
  /** `Date.now()` when it arrived. */
  receivedAt: number;
  payload: {
    type: string;
    timestamp: string;
    data: { session_id: string; agent_id?: string; reason?: string; revoked_by?: string; finding?: { detector?: string; title?: string } | null };
  };
}

/** A fresh Standard Webhooks secret (`whsec_` + base64 of 32 random bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export class WebhookSink {
  /** Verified `session.revoked` deliveries, first one per session id. */
  readonly revoked = new Map<string, RevokedWebhook>();
  /** Every verified delivery's type, by webhook-id (de-duplicated). */
  readonly deliveries = new Map<string, string>();
  invalid = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(secret: string): Promise<WebhookSink> {
    const verifier = new Webhook(secret);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const sink = new WebhookSink(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/warden`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
        let payload: RevokedWebhook['payload'];
        try {
          payload = verifier.verify(body, headers) as RevokedWebhook['payload'];
        } catch {
          sink.invalid++;
          res.writeHead(400).end('invalid signature');
          return;
        }
        const webhookId = headers['webhook-id'] ?? '';
        if (!sink.deliveries.has(webhookId)) {
          sink.deliveries.set(webhookId, payload.type);
          const sessionId = payload.data?.session_id;
          if (payload.type === 'session.revoked' && sessionId && !sink.revoked.has(sessionId)) {
            sink.revoked.set(sessionId, { webhookId, receivedAt: Date.now(), payload });
          }
        }
        res.writeHead(200).end('ok');
      });
    });
    return sink;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
