import { BadInputError } from '../../errors';
import { AddressRefusedError, type AddressPolicy } from './address-policy';
import { MAX_URL_LENGTH } from './webhook-endpoint.entity';
import { isWebhookEventType } from './webhook-event-types';

/** An endpoint URL: http(s), no credentials in it, and (in production) not an internal address. */
export async function checkEndpointUrl(raw: string, policy: AddressPolicy): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadInputError('url is not a valid URL', 'url');
  }
  if (raw.length > MAX_URL_LENGTH) throw new BadInputError(`url must be at most ${MAX_URL_LENGTH} characters`, 'url');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadInputError('url must be http or https', 'url');
  if (url.username || url.password) throw new BadInputError('url must not contain credentials; authenticate receivers by the signature', 'url');
  try {
    await policy.addressFor(url.hostname);
  } catch (error) {
    if (error instanceof AddressRefusedError) throw new BadInputError(`url is refused: ${error.message}`, 'url');
    throw error;
  }
  return url.toString();
}

export function checkEventTypes(events: string[]): string[] {
  const unknown = events.find((e) => !isWebhookEventType(e));
  if (unknown !== undefined) throw new BadInputError('events names an unknown event type', 'events');
  return [...new Set(events)];
}
