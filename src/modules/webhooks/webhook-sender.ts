import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { AddressPolicy } from './address-policy';

export const DELIVERY_TIMEOUT_MS = 10_000;
/** Receivers' answers are not read, only drained; a bound keeps a hostile one from streaming forever. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface Outgoing {
  url: string;
  secret: string;
  messageId: string;
  body: string;
}

/** HTTP status of the answer, or null when none came (refused address, timeout, network error). */
export type AttemptResult = { status: number | null; error?: string };

/**
 * One POST, signed per Standard Webhooks. Redirects are never followed (a 3xx is a
 * failed attempt), so a receiver cannot point Keygate at an internal address.
 */
export async function sendWebhook(out: Outgoing, policy: AddressPolicy, signal: AbortSignal): Promise<AttemptResult> {
  const url = new URL(out.url);
  let pinned: { address: string; family: 4 | 6 };
  try {
    pinned = await policy.addressFor(url.hostname);
  } catch (error) {
    return { status: null, error: (error as Error).message };
  }
  // The signature's timestamp is wall time: receivers compare it with their own clocks.
  const timestamp = new Date();
  const signature = new Webhook(out.secret).sign(out.messageId, timestamp, out.body);
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      url,
      {
        method: 'POST',
        lookup,
        agent: false,
        signal: AbortSignal.any([signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Keygate-Webhooks/1',
          'webhook-id': out.messageId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
      },
      (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('close', () => resolve({ status: res.statusCode ?? null }));
        res.on('error', () => undefined);
      },
    );
    req.on('error', (error) => resolve({ status: null, error: error.name === 'AbortError' ? 'timed out or stopped' : error.message }));
    req.end(out.body);
  });
}
