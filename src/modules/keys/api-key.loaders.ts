import { NotFoundError } from '../../errors';
import { type LoaderHost, requestLoader, rowsById } from '../../shared/request-loaders';
import { ApiKey } from './api-key.entity';

/** A key by id, batched per request (a page of rotations asks for two keys each). */
export async function keyById(ctx: LoaderHost, keyId: string): Promise<ApiKey> {
  const key = await requestLoader(ctx, 'key.byId', rowsById(ApiKey)).load(keyId);
  if (!key) throw new NotFoundError('API key');
  return key;
}
