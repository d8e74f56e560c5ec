import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import sirv from 'sirv';
import type { Runtime } from '../../context';
import { AuthReason } from '../../errors';
import type { ClientAddress } from '../http/request';
import { readBody } from '../../shared/http';
import { sendRefusal, sendRestError } from '../http/rest-errors';
import { clearedSessionCookie, consoleOriginAllowed, sessionCookie, sessionCookieOf } from './console-cookie';
import { setSecurityHeaders } from './console-headers';
import { signIn, signOut } from './console-session.service';

/** The built frontend (console/dist, made by `npm run build`), from src/ and dist/ alike. */
export const CONSOLE_DIST = resolve(__dirname, '..', '..', '..', 'console', 'dist');

/** Vite puts content-hashed files under assets/: they never change, so they are cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface ConsoleRequest extends ClientAddress {
  requestId: string;
}

export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse, url: URL, info: ConsoleRequest) => Promise<void>;

/** Handles /console (the app, with the history fallback) and /console/session; null when KEYGATE_CONSOLE=false. */
export function consoleHandler(runtime: Runtime): ConsoleHandler | null {
  if (!runtime.config.console) return null;
  const built = existsSync(join(CONSOLE_DIST, 'index.html'));
  if (!built) runtime.logger.warn({ dir: CONSOLE_DIST }, 'console not built (npm run build); /console answers 503');
  const files = built
    ? sirv(CONSOLE_DIST, {
        single: true,
        etag: true,
        setHeaders: (res, pathname) => res.setHeader('cache-control', pathname.startsWith('/assets/') ? IMMUTABLE : 'no-cache'),
      })
    : null;

  return async (req, res, url, info) => {
    await setSecurityHeaders(req, res);
    if (url.pathname === '/console/session') return sessionRoute(req, res, info, runtime);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendRestError(res, { status: 405, code: 'invalid_request', message: `Method ${req.method} is not allowed here` }, { allow: 'GET, HEAD' });
    }
    if (!files) return sendRestError(res, { status: 503, code: 'internal_error', message: 'The console is not built: run npm run build' });
    // sirv serves from the folder's root: strip the mount point (`/console` itself is the app).
    req.url = url.pathname.slice('/console'.length) + url.search || '/';
    await new Promise<void>((done) => {
      res.once('finish', done);
      res.once('close', done);
      files(req, res, () => {
        sendRestError(res, { status: 404, code: 'not_found', message: 'No such file' });
      });
    });
  };
}

async function sessionRoute(req: IncomingMessage, res: ServerResponse, info: ConsoleRequest, runtime: Runtime): Promise<void> {
  res.setHeader('cache-control', 'no-store');
  const secure = runtime.proxies.isSecure(req);
  const origin = req.headers.origin;
  // Opening or ending a session from another site's page (login CSRF) is refused.
  if (origin !== undefined && !consoleOriginAllowed(req, origin, secure, runtime.config)) {
    return sendRefusal(res, { reason: AuthReason.ORIGIN_NOT_ALLOWED });
  }
  const em = runtime.orm.em.fork();
  if (req.method === 'DELETE') {
    const token = sessionCookieOf(req);
    if (token !== undefined) await signOut(em, token, info, runtime);
    res.writeHead(204, { 'set-cookie': clearedSessionCookie(secure) });
    res.end();
    return;
  }
  if (req.method !== 'POST') {
    return sendRestError(res, { status: 405, code: 'invalid_request', message: `Method ${req.method} is not allowed here` }, { allow: 'POST, DELETE' });
  }
  // JSON only: a cross-site form cannot send it without a preflight.
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return sendRestError(res, { status: 415, code: 'invalid_request', message: 'Send {"key": "..."} as application/json' });
  }
  const key = keyOf(await readBody(req, 4096));
  if (key === null) return sendRestError(res, { status: 400, code: 'invalid_request', message: 'Send {"key": "..."} with a root or secret key', field: 'key' });
  const result = await signIn(em, key, info, runtime);
  if (!result.ok) {
    if (result.reason === AuthReason.INSUFFICIENT_ROLE) {
      return sendRefusal(res, { reason: result.reason, message: 'Publishable keys cannot sign in to the console' });
    }
    return sendRefusal(res, result);
  }
  res.writeHead(204, { 'set-cookie': sessionCookie(result.token, secure) });
  res.end();
}

function keyOf(raw: string): string | null {
  try {
    const body: unknown = JSON.parse(raw);
    const key = (body as { key?: unknown } | null)?.key;
    return typeof key === 'string' && key.length > 0 && key.length <= 512 ? key : null;
  } catch {
    return null;
  }
}
