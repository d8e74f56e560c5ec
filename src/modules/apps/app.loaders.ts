import { NotFoundError } from '../../errors';
import { type LoaderHost, requestLoader, rowsById } from '../../shared/request-loaders';
import { App } from './app.entity';

/**
 * The app a key or rotation belongs to, batched per request. Deleted apps stay readable
 * here: a revoked key still names the app it belonged to.
 */
export async function appOf(ctx: LoaderHost, appId: string): Promise<App> {
  const app = await requestLoader(ctx, 'app.byId', rowsById(App)).load(appId);
  if (!app) throw new NotFoundError('App');
  return app;
}
