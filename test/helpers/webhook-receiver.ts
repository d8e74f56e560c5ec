import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed once its signature checked out with `standardwebhooks`; null if it did not. */
  verified: { type: string; timestamp: string; data: Record<string, unknown> } | null;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Deliveries whose signature verified, by event type. */
  events(type?: string): NonNullable<Received['verified']>[];
  /** The secret to verify with, once the endpoint is created. */
  secret: string | undefined;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on loopback that verifies every delivery exactly as a product's
 * backend would, with the `standardwebhooks` library. `respond(n)` says what the n-th
 * request (1-based) gets: a status, or a status with headers (a redirect), or a promise
 * of either (a receiver that keeps Keygate waiting).
 */
type Answer = number | { status: number; headers: Record<string, string> };
export async function startReceiver(respond: (n: number) => Answer | Promise<Answer> = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    secret: undefined,
    events: (type) => received.flatMap((r) => (r.verified && (!type || r.verified.type === type) ? [r.verified] : [])),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: Received['verified'] = null;
      try {
        verified = receiver.secret ? (new Webhook(receiver.secret).verify(body, req.headers as Record<string, string>) as Received['verified']) : null;
      } catch {
        verified = null;
      }
      received.push({ headers: req.headers, body, verified });
      const answer = await respond(received.length);
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, headers);
      res.end();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
