import { type LoaderHost, requestLoader, rowsBy } from '../../shared/request-loaders';
import { Rotation } from './rotation.entity';

/** The rotation that replaced a key (a key is rotated at most once), batched per request. */
export function rotationReplacing(ctx: LoaderHost, keyId: string): Promise<Rotation | null> {
  return requestLoader(ctx, 'rotation.byOldKey', rowsBy(Rotation, 'oldKeyId')).load(keyId);
}

/** The rotation that created a key, batched per request. */
export function rotationCreating(ctx: LoaderHost, keyId: string): Promise<Rotation | null> {
  return requestLoader(ctx, 'rotation.byNewKey', rowsBy(Rotation, 'newKeyId')).load(keyId);
}
