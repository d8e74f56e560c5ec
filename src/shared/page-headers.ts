import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/** What a page may load beyond its own server's files. */
export interface PageAllowances {
  /** Inline styles and data: fonts (GraphiQL sets styles at run time and ships fonts as data: URLs). */
  inlineStyles?: boolean;
}

/**
 * Security headers of the HTML pages Keygate serves (the console, the API explorer): a CSP
 * that runs scripts only from this server's files (no inline script, no eval), so an
 * injected string cannot run; never framed (clickjacking); no Referer (URLs name apps and keys).
 */
export function pageSecurityHeaders(allow: PageAllowances = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const secure = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': allow.inlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': allow.inlineStyles ? ["'self'", 'data:'] : ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
  return (req, res) => new Promise((resolve, reject) => secure(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
}
