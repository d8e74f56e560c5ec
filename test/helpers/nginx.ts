import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OutsideServer, outsideToolForSuite, startOutsideServer } from './outside-tool';

/** The Debian `nginx` package (apt-get install nginx); `.ci/run` installs it when missing. */
export const NGINX_PATH = process.env.KEYGATE_NGINX_PATH ?? '/usr/sbin/nginx';
const NGINX_MISSING = 'nginx not installed; .ci/run installs it (apt-get install nginx)';

export function nginxInstalled(): boolean {
  return existsSync(NGINX_PATH);
}

/** Whether a suite behind nginx can run (outsideToolForSuite: skipped by name, or failing under CI). */
export function nginxForSuite(suite: string): boolean {
  return outsideToolForSuite(suite, nginxInstalled(), NGINX_MISSING);
}

/** A free loopback port: bound, read, released (nginx needs a number in its config). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface Upstream {
  port: number;
  /** The headers of every request that reached the upstream, oldest first. */
  received: IncomingHttpHeaders[];
  /** The request target of each of them, in the same order. */
  targets: string[];
  close(): Promise<void>;
}

/** The "protected service" behind nginx: answers 200 with the headers it was given. */
export async function startUpstream(): Promise<Upstream> {
  const received: IncomingHttpHeaders[] = [];
  const targets: string[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    targets.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ upstream: true, path: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const GUIDE = join(__dirname, '..', '..', 'docs', 'guide.md');

/** The guide's nginx recipe, verbatim: the first ```nginx block of docs/guide.md. */
export function guideNginxBlock(): string {
  const block = /```nginx\n([\s\S]*?)```/.exec(readFileSync(GUIDE, 'utf8'));
  if (!block) throw new Error('docs/guide.md has no ```nginx block');
  return block[1];
}

/** The auth URL of the guide's block, whose query string is where a proxy sets the cost. */
const GUIDE_AUTH_URL = 'http://127.0.0.1:4000/auth/forward?cost=1';

export interface NginxOptions {
  /** Credits per request, written where a user would: the `?cost=` of the block's auth URL. */
  cost?: number;
}

/**
 * A whole nginx.conf around the guide's block: only the two addresses it names (the
 * upstream and Keygate's) are changed, and the cost when a suite asks for another, so the
 * suite tests what users paste.
 */
export function nginxConfig(dir: string, port: number, keygatePort: number, upstreamPort: number, options: NginxOptions = {}): string {
  const block = guideNginxBlock();
  if (!block.includes(GUIDE_AUTH_URL)) throw new Error(`docs/guide.md's nginx block no longer asks ${GUIDE_AUTH_URL}`);
  const recipe = block
    .replace('http://your-upstream', `http://127.0.0.1:${upstreamPort}`)
    .replace(GUIDE_AUTH_URL, `http://127.0.0.1:${keygatePort}/auth/forward?cost=${options.cost ?? 1}`);
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
${recipe}
  }
}
`;
}

export type Nginx = OutsideServer;

/** Starts a real nginx in the foreground on a loopback port, in front of `upstreamPort`. */
export async function startNginx(keygatePort: number, upstreamPort: number, options: NginxOptions = {}): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-nginx-'));
  mkdirSync(join(dir, 'logs'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, port, keygatePort, upstreamPort, options));
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');

  return startOutsideServer({ name: 'nginx', command: NGINX_PATH, args: ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], port, dir, errorLog });
}
