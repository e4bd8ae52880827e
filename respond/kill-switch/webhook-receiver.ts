/**
 * A webhook receiver on a real local HTTP server (127.0.0.1, an ephemeral port unless one is
 * given), for tests and the benchmark. It verifies every request with the `standardwebhooks`
 * library, answers with the status set in `status` (200 by default; 503 to play a receiver that
 * is down), and counts, per webhook-id, every request and every one it answered with 2xx — what
 * a receiver de-duplicating by webhook-id would see.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  headers: Record<string, string>;
  body: string;
  /** The parsed payload when the signature verified, else the verification error. */
  verified: unknown;
  verifyError?: Error;
  status: number;
  /** `stamp()` when the body was complete. */
  at: number;
}

export interface WebhookReceiverOptions {
  secret: string;
  port?: number;
  /** Time stamp of each request (default performance.now()). */
  stamp?: () => number;
}

export class WebhookReceiver {
  status = 200;
  readonly received: ReceivedWebhook[] = [];
  private readonly waiters = new Map<string, Array<(r: ReceivedWebhook) => void>>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
    const verifier = new Webhook(options.secret);
    const stamp = options.stamp ?? (() => performance.now());
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => {
      void readBody(req).then((body) => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
        const entry: ReceivedWebhook = { id: headers['webhook-id'] ?? '', headers, body, verified: undefined, status: receiver.status, at: stamp() };
        try {
          entry.verified = verifier.verify(body, headers);
        } catch (err) {
          entry.verifyError = err as Error;
          entry.status = 400;
        }
        receiver.received.push(entry);
        res.writeHead(entry.status, { 'content-type': 'text/plain' }).end(entry.status < 300 ? 'ok' : 'no');
        if (entry.status < 300) for (const wake of receiver.waiters.get(entry.id)?.splice(0) ?? []) wake(entry);
      });
    });
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/warden`;
  }

  /** Requests answered with 2xx, per webhook-id. */
  successes(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) if (r.status < 300) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    return counts;
  }

  /** Requests of any outcome, per webhook-id. */
  attempts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    return counts;
  }

  /** Resolves when a request with this webhook-id has been answered with 2xx. */
  delivered(id: string): Promise<ReceivedWebhook> {
    const done = this.received.find((r) => r.id === id && r.status < 300);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
