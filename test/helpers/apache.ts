import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nginx';
import { type OutsideServer, outsideToolForSuite, startOutsideServer } from './outside-tool';

/** Debian's `apache2` and `libapache2-mod-auth-openidc`; `.ci/run` installs both when missing. */
export const APACHE_PATH = process.env.KEYGATE_APACHE_PATH ?? '/usr/sbin/apache2';
const MODULES = process.env.KEYGATE_APACHE_MODULES ?? '/usr/lib/apache2/modules';
const MISSING = 'apache2 or mod_auth_openidc not installed; .ci/run installs them (apt-get install apache2 libapache2-mod-auth-openidc)';

/** Whether a suite behind Apache can run (outsideToolForSuite: skipped by name, or failing under CI). */
export function apacheForSuite(suite: string): boolean {
  const installed = existsSync(APACHE_PATH) && existsSync(join(MODULES, 'mod_auth_openidc.so'));
  return outsideToolForSuite(suite, installed, MISSING);
}

const RECIPES = join(__dirname, '..', '..', 'docs', 'token-verifiers.md');

/** A recipe of docs/token-verifiers.md, verbatim: the ```apache block whose first line is `# <title>`. */
export function apacheRecipe(title: string): string {
  const blocks = [...readFileSync(RECIPES, 'utf8').matchAll(/```apache\n([\s\S]*?)```/g)].map((match) => match[1]);
  const block = blocks.find((text) => text.startsWith(`# ${title}`));
  if (!block) throw new Error(`docs/token-verifiers.md has no \`\`\`apache block titled "${title}"`);
  return block;
}

export interface RecipeValues {
  /** Keygate's public URL: the issuer, and where its endpoints are. */
  keygateUrl: string;
  upstreamPort: number;
  appId?: string;
}

/** The recipe with the addresses a user would put in; everything else stays as documented. */
export function fillRecipe(recipe: string, values: RecipeValues): string {
  const placeholders: [string, string][] = [
    ['https://keygate.example.com', values.keygateUrl],
    ['http://your-upstream', `http://127.0.0.1:${values.upstreamPort}`],
    ['your-app-id', values.appId ?? 'your-app-id'],
  ];
  return placeholders.reduce((text, [from, to]) => text.split(from).join(to), recipe);
}

export type Apache = OutsideServer;

/**
 * Where Keygate is published over HTTPS: mod_auth_openidc takes only https URLs for the JWKS
 * and introspection endpoints. The port is chosen before Keygate starts, since it is part of
 * Keygate's KEYGATE_PUBLIC_URL (the tokens' `iss`).
 */
export interface TlsFront {
  port: number;
  url: string;
  /** Its certificate (self-signed, for 127.0.0.1) and key, in a directory of their own. */
  cert: string;
  key: string;
  close(): void;
}

export async function reserveTlsFront(): Promise<TlsFront> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'keygate-apache-tls-'));
  // Started as root, Apache's workers run as www-data, and read the certificate as a CA bundle.
  chmodSync(dir, 0o755);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { port, url: `https://127.0.0.1:${port}`, cert, key, close: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ApacheOptions {
  /** Apache's environment (the recipe's `${KEYGATE_SECRET_KEY}`). */
  env?: Record<string, string>;
  /** Keygate's plain-HTTP port, which an HTTPS virtual host publishes at `front`. */
  keygatePort: number;
  front: TlsFront;
  /** Whether this Apache holds the front (false: another one does; this one only trusts it). */
  holdsFront?: boolean;
}

/**
 * A real Apache httpd in the foreground on loopback ports, from a temporary ServerRoot holding
 * only what the recipe needs: the recipe as the protected virtual host, and the HTTPS virtual
 * host in front of Keygate, whose certificate mod_auth_openidc is told to trust
 * (OIDCCABundlePath) and still validates.
 */
export async function startApache(recipe: string, options: ApacheOptions): Promise<Apache> {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-apache-'));
  // The workers (www-data when started as root) use the runtime files (mutexes) made here.
  chmodSync(dir, 0o755);
  const { front } = options;
  const frontHost = `Listen 127.0.0.1:${front.port}
<VirtualHost 127.0.0.1:${front.port}>
  SSLEngine on
  SSLCertificateFile ${front.cert}
  SSLCertificateKeyFile ${front.key}
  ProxyPass / http://127.0.0.1:${options.keygatePort}/
</VirtualHost>`;
  const port = await freePort();
  const conf = join(dir, 'httpd.conf');
  const asRoot = process.getuid?.() === 0;
  writeFileSync(
    conf,
    `ServerRoot ${dir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
DefaultRuntimeDir ${dir}
ErrorLog ${dir}/error.log
LogLevel warn
${asRoot ? 'User www-data\nGroup www-data' : ''}
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authn_core_module ${MODULES}/mod_authn_core.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_user_module ${MODULES}/mod_authz_user.so
LoadModule proxy_module ${MODULES}/mod_proxy.so
LoadModule proxy_http_module ${MODULES}/mod_proxy_http.so
LoadModule ssl_module ${MODULES}/mod_ssl.so
LoadModule auth_openidc_module ${MODULES}/mod_auth_openidc.so
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
OIDCCABundlePath ${front.cert}
<VirtualHost 127.0.0.1:${port}>
${recipe}
</VirtualHost>
${options.holdsFront === false ? '' : frontHost}
`,
  );
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');

  return startOutsideServer({
    name: 'apache2',
    command: APACHE_PATH,
    args: ['-d', dir, '-f', conf, '-DFOREGROUND'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    port,
    dir,
    errorLog,
  });
}
